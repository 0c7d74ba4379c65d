/* The plugin ABI is a header only; this file gives the C target a source to compile. */
#include "gym_plugin.h"
