/* plugin_other.c - a second library for test_hooks, loaded and unloaded in a loop by one
 * thread while another loads through the hooked dlopen. */
int plugin_other(void)
{
    return 42;
}
