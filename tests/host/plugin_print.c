/* plugin_print.c - a library that prints through stdio (stdout's lock) in its constructor and destructor, as plugins that log do. */
#include <stdio.h>

__attribute__((constructor)) static void plugin_init(void)
{
    printf("print plugin: loaded\n");
    fflush(stdout);
}

__attribute__((destructor)) static void plugin_fini(void)
{
    printf("print plugin: unloaded\n");
    fflush(stdout);
}
