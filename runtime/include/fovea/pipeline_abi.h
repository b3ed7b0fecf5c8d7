#ifndef FOVEA_PIPELINE_ABI_H
#define FOVEA_PIPELINE_ABI_H
/* What every library written by `fovea compile` exports besides its entry point, so that the
 * runtime can load it (from libNAME.so with dlopen, or linked into the program) without a header:
 *
 *     const struct fovea_pipeline_abi_v1 *NAME_fovea_pipeline(void);
 *
 * The generated entry file defines the same struct; its layout only ever grows at the end, and
 * `abi_version` says which members exist. */

#ifdef __cplusplus
extern "C" {
#endif

struct fovea_pipeline_abi_v1 {
  int abi_version;          /* 1 */
  const char *name;         /* the pipeline's C function name */
  const char *manifest;     /* NAME.manifest.json, embedded */
  /* Calls the pipeline: args[i] is the halide_buffer_t * of a buffer argument, or points to the
   * value of a scalar one, in the order of the manifest's arguments, then the outputs. */
  int (*call)(void **args);
  const char *(*last_error)(void); /* the message of this thread's last failure ("" if none) */
};

/* The name of the function above for a pipeline NAME is NAME followed by this. */
#define FOVEA_PIPELINE_ABI_SUFFIX "_fovea_pipeline"

#ifdef __cplusplus
}
#endif
#endif
