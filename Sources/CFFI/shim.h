// libffi (the system's), for calling native plugin functions by a signature known at run time.
#include <ffi.h>

// libffi's type descriptors are mutable C globals; these return their
// addresses, so Swift never touches the globals themselves.
static inline ffi_type *wasmcheck_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *wasmcheck_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *wasmcheck_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *wasmcheck_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *wasmcheck_ffi_type_void(void) { return &ffi_type_void; }
