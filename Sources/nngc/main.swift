print("nngc")
