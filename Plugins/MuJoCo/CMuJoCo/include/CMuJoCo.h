/*
 * CMuJoCo.h — MuJoCo's C API for the MuJoCo plugin, from the headers of the `mujoco` wheel
 * (Package.swift adds their directory to the include path).
 */
#ifndef CMUJOCO_H
#define CMUJOCO_H

#include <mujoco/mujoco.h>

/* Gymnasium's MuJoCo asset directory found when the plugin was built: the default when
 * GYM_MUJOCO_ASSETS is unset. */
const char *gym_mujoco_build_assets(void);

/* Sends MuJoCo's warnings to stderr (the first few) instead of MUJOCO_LOG.TXT in the working
 * directory. */
void gym_mujoco_route_warnings(void);

#endif /* CMUJOCO_H */
