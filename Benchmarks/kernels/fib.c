/* Recursive Fibonacci: call overhead and integer arithmetic. */
#include "common.h"

static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

EXPORT("run") u32 run(void) { return fib(35); }
