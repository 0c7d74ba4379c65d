#include "CMuJoCo.h"

#ifndef GYM_MUJOCO_BUILD_ASSETS
#define GYM_MUJOCO_BUILD_ASSETS ""
#endif

const char *gym_mujoco_build_assets(void) { return GYM_MUJOCO_BUILD_ASSETS; }

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* MuJoCo appends each warning to MUJOCO_LOG.TXT in the working directory unless a handler is
 * set; a daemon must not litter its users' directories, so warnings go to stderr instead, the
 * first few only. Deprecation notices are not shown: they are about Gymnasium's own model files
 * (its humanoid models use a deprecated attribute and warn at every load, which every command
 * that lists environments would otherwise print), nothing a user of the daemon can act on. */
enum { GYM_MUJOCO_MAX_WARNINGS = 8 };
static atomic_int gym_mujoco_warnings;

static void gym_mujoco_warning(const char *message) {
    if (message != NULL && strstr(message, "is deprecated") != NULL) return;
    if (atomic_fetch_add(&gym_mujoco_warnings, 1) < GYM_MUJOCO_MAX_WARNINGS) {
        fprintf(stderr, "MuJoCo warning: %s\n", message);
    }
}

void gym_mujoco_route_warnings(void) { mju_user_warning = gym_mujoco_warning; }
