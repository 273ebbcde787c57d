// WasmValidation: see DESIGN.md.
