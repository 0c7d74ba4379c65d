#include "CMuJoCo.h"

#ifndef GYM_MUJOCO_BUILD_ASSETS
#define GYM_MUJOCO_BUILD_ASSETS ""
#endif

const char *gym_mujoco_build_assets(void) { return GYM_MUJOCO_BUILD_ASSETS; }
