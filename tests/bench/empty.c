/* empty.c - an empty preloadable library: the per-exec cost baseline of the benchmark. */
int ocshim_bench_empty;
