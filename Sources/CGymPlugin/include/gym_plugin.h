/*
 * gym_plugin.h — the C ABI of gym environment plugins, version 1.
 *
 * A plugin is a shared library exporting one function, `gym_plugin_entry`, that returns a
 * table: the environments it registers (ids, spaces, time limits, kwargs) and the functions
 * that create, reset, step, render and destroy instances. The daemon loads every library in
 * the directory beside its executable and in each `--plugins DIR`, checks `abi_version`, and
 * skips (with a log line) any library that does not fit.
 *
 * Memory: everything the table points to stays valid while the library is loaded. Buffers
 * passed to reset, step and render belong to the caller and are sized from the env's spaces.
 * Observations and actions are raw little-endian values laid out as the space describes
 * (see protocol/README.md, "Spaces"). Instances are used from one thread at a time.
 */
#ifndef GYM_PLUGIN_H
#define GYM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GYM_PLUGIN_ABI_VERSION 1u
#define GYM_PLUGIN_ENTRY_SYMBOL "gym_plugin_entry"

/* Element types, numbered as in protocol/gym/v1/gym.proto. */
enum {
    GYM_DTYPE_FLOAT32 = 1,
    GYM_DTYPE_FLOAT64 = 2,
    GYM_DTYPE_INT64 = 3,
    GYM_DTYPE_INT32 = 4,
    GYM_DTYPE_INT8 = 5,
    GYM_DTYPE_UINT8 = 6,
    GYM_DTYPE_BOOL = 7
};

/* Space kinds a plugin may declare (composite spaces are not part of ABI version 1). */
enum {
    GYM_SPACE_DISCRETE = 1,      /* n, start; one int64 */
    GYM_SPACE_BOX = 2,           /* dtype, ndim, shape, low, high */
    GYM_SPACE_MULTI_DISCRETE = 3,/* ndim = 1, shape[0] = count, nvec, starts; int64 values */
    GYM_SPACE_MULTI_BINARY = 4   /* ndim, shape; int8 values */
};

typedef struct gym_space {
    int32_t kind;
    int32_t dtype;          /* GYM_SPACE_BOX only */
    int32_t ndim;
    const int64_t *shape;   /* ndim entries */
    const double *low;      /* GYM_SPACE_BOX: prod(shape) entries, ±INFINITY allowed */
    const double *high;
    int64_t n;              /* GYM_SPACE_DISCRETE */
    int64_t start;
    const int64_t *nvec;    /* GYM_SPACE_MULTI_DISCRETE: shape[0] entries each */
    const int64_t *starts;
} gym_space;

/* Value kinds of kwargs and reset options. */
enum {
    GYM_VALUE_NUMBER = 1,
    GYM_VALUE_INTEGER = 2,
    GYM_VALUE_TEXT = 3,
    GYM_VALUE_FLAG = 4
};

typedef struct gym_value {
    const char *name;
    int32_t kind;
    double number;
    int64_t integer;
    const char *text;
    int32_t flag;
} gym_value;

typedef struct gym_env_info {
    const char *id;                 /* e.g. "CartPole-v1" */
    const char *description;
    gym_space observation_space;
    gym_space action_space;
    int32_t max_episode_steps;      /* applied by the daemon; 0: no limit */
    int32_t has_reward_threshold;
    double reward_threshold;
    int32_t render_width;           /* 0 when the env cannot render */
    int32_t render_height;
    int32_t kwarg_count;
    const gym_value *kwargs;        /* accepted kwargs with their defaults */
} gym_env_info;

/*
 * Every function returning int32_t returns 0 on success; otherwise it writes a NUL-terminated
 * message of at most `error_capacity` bytes into `error` and returns one of these statuses.
 * Any other nonzero value is read as GYM_STATUS_FAILED.
 */
#define GYM_STATUS_FAILED 1             /* the plugin failed: the client gets INTERNAL */
#define GYM_STATUS_INVALID_ARGUMENT 2   /* the caller's options were wrong: the client gets INVALID_ARGUMENT */
/* Added within ABI version 1 (a daemon that predates them reads them as GYM_STATUS_FAILED): */
#define GYM_STATUS_NOT_SUPPORTED 3      /* the environment cannot do this here (render): NOT_SUPPORTED */
#define GYM_STATUS_QUOTA_EXCEEDED 4     /* the plugin holds as much as it allows: QUOTA_EXCEEDED */

typedef struct gym_plugin {
    uint32_t abi_version;           /* GYM_PLUGIN_ABI_VERSION */
    const char *name;
    int32_t env_count;
    const gym_env_info *envs;

    /* A new instance of envs[env_index] with every kwarg given (defaults merged in); NULL on failure. */
    void *(*create)(int32_t env_index, const gym_value *kwargs, int32_t kwarg_count,
                    char *error, size_t error_capacity);
    /* Starts an episode; reseeds when has_seed is non-zero; writes the observation. */
    int32_t (*reset)(void *env, int32_t has_seed, uint64_t seed, const gym_value *options, int32_t option_count,
                     void *observation, char *error, size_t error_capacity);
    /* Applies an action already checked against the action space; writes the next observation. */
    int32_t (*step)(void *env, const void *action, void *observation, double *reward, int32_t *terminated,
                    char *error, size_t error_capacity);
    /* Draws render_width x render_height RGB pixels, top row first, into `pixels`. */
    int32_t (*render)(void *env, uint8_t *pixels, size_t capacity, char *error, size_t error_capacity);
    void (*destroy)(void *env);
} gym_plugin;

/* The one symbol every plugin exports. */
const gym_plugin *gym_plugin_entry(void);

/*
 * Info values (optional, additive to version 1): a plugin that also exports
 * `gym_plugin_info_entry` returns reset and step info through it. The daemon probes for the
 * symbol; a plugin without it works as before (empty infos). When present, the daemon calls
 * these instead of the table's reset and step, for every environment of the plugin.
 *
 * `info` has room for `info_capacity` entries (at most GYM_PLUGIN_MAX_INFO_VALUES); the plugin
 * writes `*info_count` of them (0..info_capacity): names NUL-terminated, at most
 * GYM_PLUGIN_MAX_NAME_BYTES bytes, valid until the next call on the same instance; values of
 * kind GYM_VALUE_NUMBER, GYM_VALUE_INTEGER or GYM_VALUE_FLAG (others are ignored). More
 * values than fit is an error of the plugin, not a truncation.
 */
#define GYM_PLUGIN_INFO_SYMBOL "gym_plugin_info_entry"
#define GYM_PLUGIN_INFO_VERSION 1u
#define GYM_PLUGIN_MAX_INFO_VALUES 64
#define GYM_PLUGIN_MAX_NAME_BYTES 256

typedef struct gym_plugin_info {
    uint32_t info_version;          /* GYM_PLUGIN_INFO_VERSION */
    /* As the table's reset, and writes the reset info. */
    int32_t (*reset)(void *env, int32_t has_seed, uint64_t seed, const gym_value *options, int32_t option_count,
                     void *observation, gym_value *info, int32_t info_capacity, int32_t *info_count,
                     char *error, size_t error_capacity);
    /* As the table's step, and writes the step info. */
    int32_t (*step)(void *env, const void *action, void *observation, double *reward, int32_t *terminated,
                    gym_value *info, int32_t info_capacity, int32_t *info_count,
                    char *error, size_t error_capacity);
} gym_plugin_info;

/* The optional second symbol. */
const gym_plugin_info *gym_plugin_info_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* GYM_PLUGIN_H */
