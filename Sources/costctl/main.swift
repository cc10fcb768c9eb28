print("costctl")
