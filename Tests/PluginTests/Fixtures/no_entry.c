/* A shared library that is not a gym plugin: it lacks gym_plugin_entry. */
int not_a_plugin(void) { return 42; }
