/* Scope-bound cleanup, in the manner of crun and LXC: a function with five
 * exits does not carry five copies of its frees. Every cleanup function
 * accepts NULL and already-closed handles. Ownership moves out of a scope
 * explicitly with steal_pointer() or move_fd(). */
#ifndef PODD_CLEANUP_H
#define PODD_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void podd_freep(void *p)
{
	free(*(void **)p);
}

static inline void podd_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

static inline void podd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

static inline void podd_free_strvp(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
	*v = NULL;
}

#define cleanup_free __attribute__((cleanup(podd_freep)))
#define cleanup_close __attribute__((cleanup(podd_closep)))
#define cleanup_fclose __attribute__((cleanup(podd_fclosep)))
#define cleanup_strv __attribute__((cleanup(podd_free_strvp)))

static inline void *podd_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))podd_steal_pointer(pp))

static inline int move_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#define PODD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
