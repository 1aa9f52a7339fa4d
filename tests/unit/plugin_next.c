/* plugin_next.c - a library test_thunks links against: its thunk_probe is what the program's
 * dlsym(RTLD_NEXT, "thunk_probe") must find (the program defines one too). */
int thunk_probe(void)
{
    return 2;
}
