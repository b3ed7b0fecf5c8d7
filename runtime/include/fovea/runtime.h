#ifndef FOVEA_RUNTIME_H
#define FOVEA_RUNTIME_H
/* The C interface of Fovea's runtime (the C++ one is fovea/runtime.hpp).
 *
 *     fovea_pipeline *p = NULL;
 *     if (fovea_open("build/blur3", NULL, &p) != 0) { fprintf(stderr, "%s\n", fovea_last_error()); ... }
 *     const halide_buffer_t *inputs[] = {&in};
 *     halide_buffer_t *outputs[] = {&out};      // shaped as fovea_output_shape says
 *     if (fovea_run(p, inputs, NULL, outputs) != 0) { ... fovea_last_error() ... }
 *     fovea_close(p);
 *
 * Every function returns 0 on success; otherwise the message is in fovea_last_error(), which is
 * per thread. A fovea_pipeline may be run from many threads at once. */

#include <stddef.h>

#include <HalideRuntime.h>

#include "fovea/pipeline_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fovea_pipeline fovea_pipeline;

/* `path`: an artifact directory (`name` picks a pipeline, NULL for its only one), a manifest, or a
 * libNAME.so. */
int fovea_open(const char *path, const char *name, fovea_pipeline **out);
/* A pipeline linked into the program: fovea_open_linked(NAME_fovea_pipeline(), &p). */
int fovea_open_linked(const struct fovea_pipeline_abi_v1 *abi, fovea_pipeline **out);
void fovea_close(fovea_pipeline *p);

const char *fovea_name(const fovea_pipeline *p);
const char *fovea_manifest(const fovea_pipeline *p);  /* the manifest, JSON */
int fovea_input_count(const fovea_pipeline *p);
int fovea_param_count(const fovea_pipeline *p);
int fovea_output_count(const fovea_pipeline *p);
const char *fovea_param_name(const fovea_pipeline *p, int i);
int fovea_output_dimensions(const fovea_pipeline *p, int output);

/* `params`: one value per scalar parameter in declaration order, or NULL for all defaults. */
int fovea_output_shape(const fovea_pipeline *p, const halide_buffer_t *const *inputs, const double *params, int output,
                       int *extents);
int fovea_run(const fovea_pipeline *p, const halide_buffer_t *const *inputs, const double *params,
              halide_buffer_t *const *outputs);

const char *fovea_last_error(void);

/* Called by the static libraries fovea compile writes, when the program starts. */
void fovea_register_linked_pipeline(const struct fovea_pipeline_abi_v1 *abi);

#ifdef __cplusplus
}
#endif
#endif
