/* The seccomp filters of every process, compiled to BPF at build time by
 * gen_filters.c from the policies in each process's policy.c (the
 * generated filters.c is in the build tree). podd_sandbox_apply() installs
 * the one named by the policy's process. */
#ifndef PODD_FILTERS_H
#define PODD_FILTERS_H

#include <linux/filter.h>
#include <stddef.h>

struct podd_filter {
	const char *process;             /* the policy's process, e.g. "podd-state" */
	const struct sock_filter *insns;
	unsigned short len;              /* instructions */
};

extern const struct podd_filter podd_filters[];
extern const size_t podd_nfilters;
/* The libseccomp that compiled them ("2.5.4"). */
extern const char podd_filters_libseccomp[];

#endif
