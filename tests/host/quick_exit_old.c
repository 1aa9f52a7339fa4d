/* quick_exit_old.c - host: built against quick_exit@GLIBC_2.10, which (unlike quick_exit@GLIBC_2.24) runs the calling thread's thread_local destructors. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The 2.10 symbol, as a program linked against glibc 2.10 .. 2.23 calls it. */
extern void quick_exit_2_10(int) __attribute__((noreturn));
__asm__(".symver quick_exit_2_10, quick_exit@GLIBC_2.10");

/* What a C++ thread_local object with a destructor compiles to. */
extern int __cxa_thread_atexit_impl(void (*dtor)(void *), void *obj, void *dso);
extern void *__dso_handle;

static _Thread_local int object = 5;

static void say(const char *s)
{
    ssize_t w = write(1, s, __builtin_strlen(s));
    (void)w;
}

static void object_dtor(void *obj)
{
    say(*(int *)obj == 5 ? "thread_local destructor ran\n" : "thread_local destructor: wrong object\n");
}

static void at_quick(void)
{
    say("at_quick_exit handler ran\n");
}

int main(void)
{
    say("quick_exit@GLIBC_2.10 with a thread_local destructor registered\n");
    at_quick_exit(at_quick);
    __cxa_thread_atexit_impl(object_dtor, &object, &__dso_handle);
    quick_exit_2_10(5);
}
