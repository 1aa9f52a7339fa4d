/* signal_storm.c - host: SIGUSR1 storms whose handlers call sigprocmask/sigaction/pthread_sigmask while the main thread changes masks and dispositions too. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SENDERS 3
#define SHOTS 3000
#define MAIN_ROUNDS 20000

static pthread_t main_thread, senders[SENDERS];
static pthread_barrier_t all_there;
static int handled, bad, senders_left = SENDERS;

static volatile sig_atomic_t usr2_a_ran, usr2_b_ran;
static void usr2_a(int sig) { (void)sig; usr2_a_ran = 1; }
static void usr2_b(int sig) { (void)sig; usr2_b_ran = 1; }

static void on_usr1(int sig)
{
    (void)sig;
    sigset_t s, old, now;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    if (sigprocmask(SIG_BLOCK, &s, &old) != 0 || pthread_sigmask(SIG_SETMASK, NULL, &now) != 0)
        __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
    if (!sigismember(&now, SIGUSR2) || !sigismember(&now, SIGUSR1))   /* SIGUSR1: as in a handler */
        __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
    sigprocmask(SIG_SETMASK, &old, NULL);
    struct sigaction cur;
    if (sigaction(SIGUSR2, NULL, &cur) != 0 || sigaction(SIGUSR2, &cur, NULL) != 0)
        __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
}

static void *sender(void *arg)
{
    long me = (long)arg;
    struct timespec gap = { 0, 20 * 1000 };
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_barrier_wait(&all_there);           /* every sender exists: pthread_kill is safe */
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    for (int i = 0; i < SHOTS; i++) {
        pthread_kill(main_thread, SIGUSR1);
        pthread_kill(senders[(me + 1) % SENDERS], SIGUSR1);     /* and a fellow sender */
        nanosleep(&gap, NULL);
    }
    __atomic_sub_fetch(&senders_left, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void set_usr2(void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigaddset(&sa.sa_mask, SIGUSR1);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGUSR2, &sa, NULL) != 0)
        __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr2, orig;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_SETMASK, NULL, &orig);
    printf("%d threads send SIGUSR1 storms; handlers and main change masks and dispositions\n", SENDERS);
    /* Senders start with SIGUSR1 blocked and open it once all of them exist. */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_barrier_init(&all_there, NULL, SENDERS + 1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    for (long i = 0; i < SENDERS; i++)
        pthread_create(&senders[i], NULL, sender, (void *)i);
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    pthread_barrier_wait(&all_there);
    /* Main: masks and dispositions, as long as the storm lasts (and at least MAIN_ROUNDS). */
    for (int round = 0; round < MAIN_ROUNDS || __atomic_load_n(&senders_left, __ATOMIC_ACQUIRE); round++) {
        sigprocmask(SIG_BLOCK, &usr2, NULL);
        set_usr2(round % 2 ? usr2_b : usr2_a);
        pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
    }
    for (int i = 0; i < SENDERS; i++)
        pthread_join(senders[i], NULL);
    set_usr2(usr2_b);
    raise(SIGUSR2);                         /* handled by usr2_b, the last one set */
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    struct sigaction cur1, cur2;
    sigaction(SIGUSR1, NULL, &cur1);
    sigaction(SIGUSR2, NULL, &cur2);
    printf("signals handled: %s\n", __atomic_load_n(&handled, __ATOMIC_RELAXED) > 0 ? "some" : "none");
    printf("errors seen: %d\n", bad);
    printf("raised SIGUSR2 handled by: %s\n", usr2_b_ran && !usr2_a_ran ? "usr2_b" : "something else");
    printf("main's mask: SIGUSR1 %s, SIGUSR2 %s, SIGSYS %s\n",
           sigismember(&now, SIGUSR1) ? "blocked" : "open", sigismember(&now, SIGUSR2) ? "blocked" : "open",
           sigismember(&now, SIGSYS) ? "blocked" : "open");
    printf("SIGUSR1 handler: %s, SIGUSR2 handler: %s, SIGUSR2 sa_mask has SIGUSR1: %s\n",
           cur1.sa_handler == on_usr1 ? "on_usr1" : "other",
           cur2.sa_handler == usr2_b ? "usr2_b" : cur2.sa_handler == usr2_a ? "usr2_a" : "other",
           sigismember(&cur2.sa_mask, SIGUSR1) ? "yes" : "no");
    return 0;
}
