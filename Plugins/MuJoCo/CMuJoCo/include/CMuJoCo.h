/*
 * CMuJoCo.h — MuJoCo's C API for the MuJoCo plugin, from the headers of the `mujoco` wheel
 * (Package.swift adds their directory to the include path).
 */
#ifndef CMUJOCO_H
#define CMUJOCO_H

#include <stddef.h>

#include <mujoco/mujoco.h>

/* Gymnasium's MuJoCo asset directory found when the plugin was built: the default when
 * GYM_MUJOCO_ASSETS is unset. */
const char *gym_mujoco_build_assets(void);

/* Sends MuJoCo's warnings to stderr (the first few) instead of MUJOCO_LOG.TXT in the working
 * directory. */
void gym_mujoco_route_warnings(void);

/* Offscreen rendering (render.c): EGL opened at run time, headless. */
typedef struct gym_mujoco_renderer gym_mujoco_renderer;

/* 1 when libEGL loads and has EGL 1.4's functions; 0 and why in `error` otherwise. Its display
 * is initialized at the first renderer, which fails as GYM_MUJOCO_RENDER_UNSUPPORTED if none can be. */
int gym_mujoco_render_available(char *error, size_t capacity);

/* Why gym_mujoco_renderer_make made no renderer. */
enum {
    GYM_MUJOCO_RENDER_FAILED = 0,       /* OpenGL or MuJoCo failed */
    GYM_MUJOCO_RENDER_OVER_LIMIT = 1,   /* the plugin holds as many renderers as it allows */
    GYM_MUJOCO_RENDER_UNSUPPORTED = 2,  /* no EGL display with an OpenGL configuration */
};

/* An OpenGL context, scene and MuJoCo render context for `model` at width × height (sets the
 * model's offscreen size); NULL, the reason in `error` and its kind in `*refusal` when it
 * cannot be made. */
gym_mujoco_renderer *gym_mujoco_renderer_make(mjModel *model, int width, int height, int maxgeom, int *refusal,
                                              char *error, size_t capacity);

/* Draws `data` seen by `camera` into `rgb` (width × height × 3, top row first): 1, or 0 and
 * the reason in `error`. */
int gym_mujoco_renderer_draw(gym_mujoco_renderer *renderer, const mjModel *model, mjData *data, mjvCamera *camera,
                             unsigned char *rgb, size_t capacity, char *error, size_t error_capacity);

void gym_mujoco_renderer_free(gym_mujoco_renderer *renderer);

#endif /* CMUJOCO_H */
