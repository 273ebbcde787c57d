print("wasmcheck")
