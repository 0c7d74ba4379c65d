/* Declares an ABI version this daemon does not load. */
#include "gym_plugin.h"
static const gym_plugin plugin = {.abi_version = 99, .name = "from-the-future"};
const gym_plugin *gym_plugin_entry(void) { return &plugin; }
