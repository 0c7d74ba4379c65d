/* A plugin whose only environment cannot be created. */
#include <stdio.h>
#include "gym_plugin.h"
static const gym_env_info envs[1] = {{
    .id = "Broken-v0",
    .observation_space = {.kind = GYM_SPACE_DISCRETE, .n = 2},
    .action_space = {.kind = GYM_SPACE_DISCRETE, .n = 2},
}};
static void *create(int32_t index, const gym_value *kwargs, int32_t count, char *error, size_t capacity) {
    (void)index; (void)kwargs; (void)count;
    snprintf(error, capacity, "this environment always fails to start");
    return NULL;
}
static int32_t reset(void *env, int32_t has_seed, uint64_t seed, const gym_value *options, int32_t count,
                     void *observation, char *error, size_t capacity) {
    (void)env; (void)has_seed; (void)seed; (void)options; (void)count; (void)observation; (void)error; (void)capacity;
    return 1;
}
static int32_t step(void *env, const void *action, void *observation, double *reward, int32_t *terminated,
                    char *error, size_t capacity) {
    (void)env; (void)action; (void)observation; (void)reward; (void)terminated; (void)error; (void)capacity;
    return 1;
}
static void destroy(void *env) { (void)env; }
static const gym_plugin plugin = {
    .abi_version = GYM_PLUGIN_ABI_VERSION, .name = "broken", .env_count = 1, .envs = envs,
    .create = create, .reset = reset, .step = step, .destroy = destroy,
};
const gym_plugin *gym_plugin_entry(void) { return &plugin; }
