#ifndef GYM_VECTOR_MATH_H
#define GYM_VECTOR_MATH_H

/*
 * Vector operations Swift's standard library runs lane by lane. `SIMD8<Float>.squareRoot()`
 * calls `sqrtf` once per lane; clang's elementwise builtin is one vector square root (sqrtps),
 * correctly rounded as the scalar one is, so results are the same bits.
 */
typedef float gym_float8 __attribute__((ext_vector_type(8)));

static inline gym_float8 gym_sqrt8(gym_float8 v) { return __builtin_elementwise_sqrt(v); }

#endif
