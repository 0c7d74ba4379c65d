#include "CMuJoCo.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offscreen rendering through EGL on Mesa's software rasterizer (or a GPU's driver), headless.
 * libEGL is opened at run time, so the plugin builds and steps on machines without it; the EGL
 * names it needs are declared here rather than taken from EGL's headers for the same reason.
 * MuJoCo finds OpenGL's functions through `eglGetProcAddress` in the global namespace, which is
 * why libEGL is opened RTLD_GLOBAL. */

typedef void *EGLDisplay;
typedef void *EGLConfig;
typedef void *EGLContext;
typedef void *EGLSurface;
typedef int32_t EGLint;
typedef unsigned int EGLBoolean;
typedef unsigned int EGLenum;

enum {
    EGL_NONE = 0x3038, EGL_RED_SIZE = 0x3024, EGL_GREEN_SIZE = 0x3023, EGL_BLUE_SIZE = 0x3022,
    EGL_SURFACE_TYPE = 0x3033, EGL_PBUFFER_BIT = 0x0001, EGL_RENDERABLE_TYPE = 0x3040, EGL_OPENGL_BIT = 0x0008, EGL_OPENGL_API = 0x30A2,
    EGL_PLATFORM_SURFACELESS_MESA = 0x31DD,
};

static struct {
    EGLDisplay (*getDisplay)(void *);
    EGLDisplay (*getPlatformDisplay)(EGLenum, void *, const EGLint *);
    EGLBoolean (*initialize)(EGLDisplay, EGLint *, EGLint *);
    EGLBoolean (*chooseConfig)(EGLDisplay, const EGLint *, EGLConfig *, EGLint, EGLint *);
    EGLBoolean (*bindAPI)(EGLenum);
    EGLContext (*createContext)(EGLDisplay, EGLConfig, EGLContext, const EGLint *);
    EGLBoolean (*destroyContext)(EGLDisplay, EGLContext);
    EGLBoolean (*makeCurrent)(EGLDisplay, EGLSurface, EGLSurface, EGLContext);
    EGLint (*getError)(void);
    EGLDisplay display;
    EGLConfig config;
    char failure[256];
} egl;

/* MuJoCo reports a failure inside its renderer (an OpenGL it cannot use, say) through
 * mju_user_error and must not continue; a render in progress is abandoned with longjmp, so the
 * daemon answers an error instead of exiting. Outside a render, MuJoCo's own behaviour. */
static _Thread_local jmp_buf *render_escape;
static _Thread_local char render_error[512];

static void gym_mujoco_error(const char *message) {
    if (render_escape != NULL) {
        snprintf(render_error, sizeof render_error, "%s", message == NULL ? "unknown error" : message);
        longjmp(*render_escape, 1);
    }
    fprintf(stderr, "MuJoCo error: %s\n", message == NULL ? "unknown error" : message);
    exit(EXIT_FAILURE);
}

/* Loading libEGL is cheap; initializing a display loads the driver (Mesa's brings LLVM, some 50
 * MiB), so that waits for the first frame and a daemon that never renders never pays it. */
static pthread_once_t egl_loaded = PTHREAD_ONCE_INIT;
static pthread_once_t egl_started = PTHREAD_ONCE_INIT;
static int egl_usable;

static void egl_load(void) {
    void *library = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (library == NULL) {
        snprintf(egl.failure, sizeof egl.failure, "libEGL.so.1 cannot be loaded (%s)", dlerror());
        return;
    }
    void *(*getProcAddress)(const char *) = (void *(*)(const char *))dlsym(library, "eglGetProcAddress");
    egl.getDisplay = (EGLDisplay (*)(void *))dlsym(library, "eglGetDisplay");
    egl.initialize = (EGLBoolean (*)(EGLDisplay, EGLint *, EGLint *))dlsym(library, "eglInitialize");
    egl.chooseConfig = (EGLBoolean (*)(EGLDisplay, const EGLint *, EGLConfig *, EGLint, EGLint *))dlsym(library, "eglChooseConfig");
    egl.bindAPI = (EGLBoolean (*)(EGLenum))dlsym(library, "eglBindAPI");
    egl.createContext = (EGLContext (*)(EGLDisplay, EGLConfig, EGLContext, const EGLint *))dlsym(library, "eglCreateContext");
    egl.destroyContext = (EGLBoolean (*)(EGLDisplay, EGLContext))dlsym(library, "eglDestroyContext");
    egl.makeCurrent = (EGLBoolean (*)(EGLDisplay, EGLSurface, EGLSurface, EGLContext))dlsym(library, "eglMakeCurrent");
    egl.getError = (EGLint (*)(void))dlsym(library, "eglGetError");
    if (getProcAddress == NULL || egl.getDisplay == NULL || egl.initialize == NULL || egl.chooseConfig == NULL ||
        egl.bindAPI == NULL || egl.createContext == NULL || egl.destroyContext == NULL || egl.makeCurrent == NULL ||
        egl.getError == NULL) {
        snprintf(egl.failure, sizeof egl.failure, "libEGL.so.1 lacks a function EGL 1.4 defines");
        return;
    }
    egl.getPlatformDisplay = (EGLDisplay (*)(EGLenum, void *, const EGLint *))getProcAddress("eglGetPlatformDisplayEXT");
    egl_usable = 1;
}

static void egl_start(void) {
    pthread_once(&egl_loaded, egl_load);
    if (!egl_usable) return;
    /* Mesa's surfaceless platform needs no X server and no device; otherwise the default one. */
    EGLDisplay display = NULL;
    if (egl.getPlatformDisplay != NULL) display = egl.getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, NULL, NULL);
    EGLint major = 0, minor = 0;
    if (display == NULL || !egl.initialize(display, &major, &minor)) {
        display = egl.getDisplay(NULL);
        if (display == NULL || !egl.initialize(display, &major, &minor)) {
            snprintf(egl.failure, sizeof egl.failure, "no EGL display can be initialized (EGL error 0x%x)", (unsigned)egl.getError());
            return;
        }
    }
    const EGLint attributes[] = {
        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
        EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE,
    };
    EGLConfig config = NULL;
    EGLint count = 0;
    if (!egl.chooseConfig(display, attributes, &config, 1, &count) || count < 1) {
        snprintf(egl.failure, sizeof egl.failure, "EGL %d.%d has no 8-bit RGB OpenGL configuration", major, minor);
        return;
    }
    egl.display = display;
    egl.config = config;
    mju_user_error = gym_mujoco_error;
}

/* Each renderer holds an OpenGL context and frame buffers (a few MiB on Mesa): the plugin holds
 * at most this many at a time, whatever its clients ask. */
enum { GYM_MUJOCO_MAX_RENDERERS = 64 };
static atomic_int live_renderers;

/* mjr_makeContext and mjr_freeContext load and share MuJoCo's global table of OpenGL functions. */
static pthread_mutex_t context_lock = PTHREAD_MUTEX_INITIALIZER;

struct gym_mujoco_renderer {
    EGLContext context;
    mjrContext mujoco;
    mjvScene scene;
    mjvOption options;
    mjvPerturb perturbation;
    int width, height;
    unsigned char *upsideDown;
};

int gym_mujoco_render_available(char *error, size_t capacity) {
    pthread_once(&egl_loaded, egl_load);
    if (egl_usable) return 1;
    if (error != NULL && capacity > 0) snprintf(error, capacity, "%s", egl.failure);
    return 0;
}

static int make_current(EGLContext context) {
    egl.bindAPI(EGL_OPENGL_API);
    return egl.makeCurrent(egl.display, NULL, NULL, context) ? 1 : 0;
}

gym_mujoco_renderer *gym_mujoco_renderer_make(mjModel *model, int width, int height, int maxgeom, int *refusal,
                                              char *error, size_t capacity) {
    *refusal = GYM_MUJOCO_RENDER_FAILED;
    pthread_once(&egl_started, egl_start);
    if (egl.display == NULL) {
        *refusal = GYM_MUJOCO_RENDER_UNSUPPORTED;
        snprintf(error, capacity, "%s", egl.failure);
        return NULL;
    }
    if (width < 1 || height < 1 || width > 4096 || height > 4096 || maxgeom < 1) {
        snprintf(error, capacity, "a render size of %d×%d is out of range", width, height);
        return NULL;
    }
    if (atomic_fetch_add(&live_renderers, 1) >= GYM_MUJOCO_MAX_RENDERERS) {
        atomic_fetch_sub(&live_renderers, 1);
        *refusal = GYM_MUJOCO_RENDER_OVER_LIMIT;
        snprintf(error, capacity, "%d MuJoCo environments are rendering already, the most this server renders at once",
                 GYM_MUJOCO_MAX_RENDERERS);
        return NULL;
    }
    gym_mujoco_renderer *renderer = calloc(1, sizeof *renderer);
    unsigned char *rows = malloc((size_t)width * (size_t)height * 3);
    if (renderer == NULL || rows == NULL) {
        free(renderer);
        free(rows);
        atomic_fetch_sub(&live_renderers, 1);
        snprintf(error, capacity, "no memory for a renderer");
        return NULL;
    }
    renderer->width = width;
    renderer->height = height;
    renderer->upsideDown = rows;
    egl.bindAPI(EGL_OPENGL_API);
    renderer->context = egl.createContext(egl.display, egl.config, NULL, NULL);
    if (renderer->context == NULL || !make_current(renderer->context)) {
        snprintf(error, capacity, "EGL cannot create an OpenGL context (EGL error 0x%x)", (unsigned)egl.getError());
        if (renderer->context != NULL) egl.destroyContext(egl.display, renderer->context);
        free(rows);
        free(renderer);
        atomic_fetch_sub(&live_renderers, 1);
        return NULL;
    }
    /* The offscreen buffer takes its size from the model, as Gymnasium's MujocoEnv sets it. */
    model->vis.global.offwidth = width;
    model->vis.global.offheight = height;
    mjv_defaultOption(&renderer->options);
    mjv_defaultPerturb(&renderer->perturbation);
    mjv_defaultScene(&renderer->scene);
    mjr_defaultContext(&renderer->mujoco);

    pthread_mutex_lock(&context_lock);
    jmp_buf escape;
    int failed = 0;
    if (setjmp(escape) == 0) {
        render_escape = &escape;
        mjv_makeScene(model, &renderer->scene, maxgeom);
        mjr_makeContext(model, &renderer->mujoco, mjFONTSCALE_150);
        mjr_setBuffer(mjFB_OFFSCREEN, &renderer->mujoco);
    } else {
        failed = 1;
    }
    render_escape = NULL;
    pthread_mutex_unlock(&context_lock);
    egl.makeCurrent(egl.display, NULL, NULL, NULL);
    if (failed) {
        snprintf(error, capacity, "MuJoCo cannot render: %s", render_error);
        gym_mujoco_renderer_free(renderer);
        return NULL;
    }
    return renderer;
}

int gym_mujoco_renderer_draw(gym_mujoco_renderer *renderer, const mjModel *model, mjData *data, mjvCamera *camera,
                             unsigned char *rgb, size_t capacity, char *error, size_t error_capacity) {
    size_t row = (size_t)renderer->width * 3;
    size_t bytes = row * (size_t)renderer->height;
    if (capacity < bytes) {
        snprintf(error, error_capacity, "a %d×%d frame needs %zu bytes, the buffer holds %zu",
                 renderer->width, renderer->height, bytes, capacity);
        return 0;
    }
    if (!make_current(renderer->context)) {
        snprintf(error, error_capacity, "EGL cannot make the renderer's context current (EGL error 0x%x)", (unsigned)egl.getError());
        return 0;
    }
    jmp_buf escape;
    int failed = 0;
    if (setjmp(escape) == 0) {
        render_escape = &escape;
        mjrRect viewport = {0, 0, renderer->width, renderer->height};
        mjv_updateScene(model, data, &renderer->options, &renderer->perturbation, camera, mjCAT_ALL, &renderer->scene);
        mjr_render(viewport, &renderer->scene, &renderer->mujoco);
        mjr_readPixels(renderer->upsideDown, NULL, viewport, &renderer->mujoco);
    } else {
        failed = 1;
    }
    render_escape = NULL;
    egl.makeCurrent(egl.display, NULL, NULL, NULL);
    if (failed) {
        snprintf(error, error_capacity, "MuJoCo cannot render: %s", render_error);
        return 0;
    }
    /* OpenGL reads the bottom row first; frames travel top row first. */
    for (int y = 0; y < renderer->height; y++) {
        memcpy(rgb + (size_t)y * row, renderer->upsideDown + (size_t)(renderer->height - 1 - y) * row, row);
    }
    return 1;
}

void gym_mujoco_renderer_free(gym_mujoco_renderer *renderer) {
    if (renderer == NULL) return;
    if (renderer->context != NULL && make_current(renderer->context)) {
        pthread_mutex_lock(&context_lock);
        mjr_freeContext(&renderer->mujoco);
        pthread_mutex_unlock(&context_lock);
        egl.makeCurrent(egl.display, NULL, NULL, NULL);
    }
    mjv_freeScene(&renderer->scene);
    if (renderer->context != NULL) egl.destroyContext(egl.display, renderer->context);
    free(renderer->upsideDown);
    free(renderer);
    atomic_fetch_sub(&live_renderers, 1);
}
