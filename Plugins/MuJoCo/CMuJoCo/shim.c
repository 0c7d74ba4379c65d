#include "CMuJoCo.h"

#ifndef GYM_MUJOCO_BUILD_ASSETS
#define GYM_MUJOCO_BUILD_ASSETS ""
#endif

const char *gym_mujoco_build_assets(void) { return GYM_MUJOCO_BUILD_ASSETS; }

#include <stdatomic.h>
#include <stdio.h>

/* MuJoCo appends each warning to MUJOCO_LOG.TXT in the working directory unless a handler is
 * set; a daemon must not litter its users' directories, so warnings go to stderr instead, the
 * first few only (Gymnasium's humanoid models warn about a deprecated attribute at every load). */
enum { GYM_MUJOCO_MAX_WARNINGS = 8 };
static atomic_int gym_mujoco_warnings;

static void gym_mujoco_warning(const char *message) {
    if (atomic_fetch_add(&gym_mujoco_warnings, 1) < GYM_MUJOCO_MAX_WARNINGS) {
        fprintf(stderr, "MuJoCo warning: %s\n", message);
    }
}

void gym_mujoco_route_warnings(void) { mju_user_warning = gym_mujoco_warning; }
