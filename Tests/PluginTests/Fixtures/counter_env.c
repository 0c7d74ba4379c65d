/* A tiny environment written in C against gym_plugin.h: Counter-v0.
 * The observation is a float32 counter; action 0 subtracts, 1 holds, 2 adds the `step_size`
 * kwarg; the episode terminates when the counter reaches `target`. Reward is the action - 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gym_plugin.h"

typedef struct counter { float value; float step_size; float target; } counter;

static const int64_t obs_shape[1] = {1};
static const double obs_low[1] = {-INFINITY};
static const double obs_high[1] = {INFINITY};
static const gym_value kwargs[2] = {
    {.name = "step_size", .kind = GYM_VALUE_NUMBER, .number = 1.0},
    {.name = "target", .kind = GYM_VALUE_INTEGER, .integer = 3},
};

static const gym_env_info envs[1] = {{
    .id = "Counter-v0",
    .description = "Count to a target.",
    .observation_space = {.kind = GYM_SPACE_BOX, .dtype = GYM_DTYPE_FLOAT32, .ndim = 1, .shape = obs_shape,
                          .low = obs_low, .high = obs_high},
    .action_space = {.kind = GYM_SPACE_DISCRETE, .n = 3, .start = 0},
    .max_episode_steps = 20,
    .has_reward_threshold = 1,
    .reward_threshold = 2.5,
    .kwarg_count = 2,
    .kwargs = kwargs,
}};

static void *create(int32_t index, const gym_value *values, int32_t count, char *error, size_t capacity) {
    if (index != 0) { snprintf(error, capacity, "no env %d", index); return NULL; }
    counter *c = calloc(1, sizeof(counter));
    if (!c) { snprintf(error, capacity, "out of memory"); return NULL; }
    c->step_size = 1; c->target = 3;
    for (int32_t i = 0; i < count; i++) {
        if (strcmp(values[i].name, "step_size") == 0) c->step_size = (float)values[i].number;
        if (strcmp(values[i].name, "target") == 0) c->target = (float)values[i].integer;
    }
    return c;
}

static int32_t reset(void *env, int32_t has_seed, uint64_t seed, const gym_value *options, int32_t count,
                     void *observation, char *error, size_t capacity) {
    (void)options; (void)count; (void)error; (void)capacity;
    counter *c = env;
    c->value = has_seed ? (float)(seed % 2) : 0;
    memcpy(observation, &c->value, sizeof(float));
    return 0;
}

static int32_t step(void *env, const void *action, void *observation, double *reward, int32_t *terminated,
                    char *error, size_t capacity) {
    (void)error; (void)capacity;
    counter *c = env;
    int64_t a;
    memcpy(&a, action, sizeof a);
    c->value += (float)(a - 1) * c->step_size;
    memcpy(observation, &c->value, sizeof(float));
    *reward = (double)(a - 1);
    *terminated = c->value >= c->target;
    return 0;
}

static void destroy(void *env) { free(env); }

static const gym_plugin plugin = {
    .abi_version = GYM_PLUGIN_ABI_VERSION, .name = "counter", .env_count = 1, .envs = envs,
    .create = create, .reset = reset, .step = step, .render = NULL, .destroy = destroy,
};

const gym_plugin *gym_plugin_entry(void) { return &plugin; }
