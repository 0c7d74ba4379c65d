#include "vector_math.h"
