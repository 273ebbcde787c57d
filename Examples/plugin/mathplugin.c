// An example native plugin for `wasmcheck run --plugin manifest.json`:
// plain C functions with numeric parameters and results; the manifest
// (manifest.json) gives each one's WebAssembly import and signature.
//
//   cc -shared -fPIC -o libmathplugin.so mathplugin.c
#include <stdint.h>

int32_t math_add(int32_t a, int32_t b) { return a + b; }

int64_t math_mul64(int64_t a, int64_t b) { return a * b; }

float math_scale(float x, int32_t factor) { return x * (float)factor; }

double math_average(double x, double y) { return (x + y) / 2; }

static int64_t counter;

// No parameters and no result: state lives in the library.
void math_tick(void) { counter += 1; }

int64_t math_ticks(void) { return counter; }
