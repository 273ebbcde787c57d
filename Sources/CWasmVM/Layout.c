/*
 * The field descriptors of the layout, expanded from the same field lists
 * as the structs (CWasmVM.h), so that the layout is written once.
 */
#include "CWasmVM.h"

#include <stddef.h>

/* The size a field of each kind has on this host: checked against the
 * declared C type, so that a list entry cannot claim the wrong kind. */
#define WVM_HOST_SIZE_POINTER sizeof(void *)
#define WVM_HOST_SIZE_WORD sizeof(intptr_t)
#define WVM_HOST_SIZE_I64 8
#define WVM_HOST_SIZE_I32 4
#define WVM_HOST_SIZE_U8 1
#define WVM_HOST_SIZE_BOOL 1

#define WVM_SIZE_CHECK(cName, name, kind, type) \
    _Static_assert(sizeof(type) == WVM_HOST_SIZE_##kind, #cName "." #name ": the type has the size of the kind");
#define WVM_SIZE_CHECKS(cName, FIELDS) FIELDS(WVM_SIZE_CHECK, cName)
WVM_STRUCTS(WVM_SIZE_CHECKS)

#define WVM_DESCRIPTOR(cName, name, kind, type) {#name, WVMFieldKind##kind, (intptr_t)offsetof(cName, name)},
#define WVM_FIELDS_ARRAY(cName, FIELDS) \
    static const WVMFieldDescriptor cName##Fields[] = {FIELDS(WVM_DESCRIPTOR, cName)};
WVM_STRUCTS(WVM_FIELDS_ARRAY)

#define WVM_STRUCT_DESCRIPTOR(cName, FIELDS) \
    {#cName, cName##Fields, sizeof(cName##Fields) / sizeof(cName##Fields[0]), sizeof(cName)},
static const WVMStructDescriptor structs[] = {WVM_STRUCTS(WVM_STRUCT_DESCRIPTOR)};

const WVMStructDescriptor *wvm_layout(intptr_t *count) {
    *count = sizeof(structs) / sizeof(structs[0]);
    return structs;
}
