/* A plugin environment that wedges its worker, for the watchdog tests: Stuck-v0.
 * Action 0 steps normally; action 1 spins forever (never returning, as a buggy plugin would).
 * Built apart from the other fixtures (build_fixtures.sh --stuck DIR) so that no directory
 * scan of the good fixtures loads it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gym_plugin.h"

static const int64_t obs_shape[1] = {1};
static const double obs_low[1] = {-1.0};
static const double obs_high[1] = {1.0};

static const gym_env_info envs[1] = {{
    .id = "Stuck-v0",
    .description = "Action 1 never returns.",
    .observation_space = {.kind = GYM_SPACE_BOX, .dtype = GYM_DTYPE_FLOAT32, .ndim = 1, .shape = obs_shape,
                          .low = obs_low, .high = obs_high},
    .action_space = {.kind = GYM_SPACE_DISCRETE, .n = 2, .start = 0},
    .max_episode_steps = 0,
}};

static void *create(int32_t index, const gym_value *values, int32_t count, char *error, size_t capacity) {
    (void)index; (void)values; (void)count; (void)error; (void)capacity;
    return calloc(1, sizeof(float));
}

static int32_t reset(void *env, int32_t has_seed, uint64_t seed, const gym_value *options, int32_t count,
                     void *observation, char *error, size_t capacity) {
    (void)env; (void)has_seed; (void)seed; (void)options; (void)count; (void)error; (void)capacity;
    memset(observation, 0, sizeof(float));
    return 0;
}

static volatile int spinning = 1;

static int32_t step(void *env, const void *action, void *observation, double *reward, int32_t *terminated,
                    char *error, size_t capacity) {
    (void)env; (void)error; (void)capacity;
    int64_t a;
    memcpy(&a, action, sizeof a);
    while (a == 1 && spinning) {}
    memset(observation, 0, sizeof(float));
    *reward = 0;
    *terminated = 0;
    return 0;
}

static void destroy(void *env) { free(env); }

static const gym_plugin plugin = {
    .abi_version = GYM_PLUGIN_ABI_VERSION, .name = "stuck", .env_count = 1, .envs = envs,
    .create = create, .reset = reset, .step = step, .render = NULL, .destroy = destroy,
};

const gym_plugin *gym_plugin_entry(void) { return &plugin; }
