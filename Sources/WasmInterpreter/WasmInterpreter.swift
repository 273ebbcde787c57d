// WasmInterpreter: see DESIGN.md.
