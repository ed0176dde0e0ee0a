// Header only: LLVMFuzzerRunDriver is defined by libFuzzer (see include/fuzz_driver.h).
