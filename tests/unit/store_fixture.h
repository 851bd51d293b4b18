/* A scratch image store for the podd-image unit tests: a directory in
 * /tmp and a descriptor on it, made before each test and removed after. */
#ifndef PODD_TEST_STORE_FIXTURE_H
#define PODD_TEST_STORE_FIXTURE_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "blobs.h"
#include "files.h"

struct store {
	char dir[64];
	int fd;
};

static int store_setup(void **state)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/podd-unit-store-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	s->fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = s;
	return s->fd < 0 ? -1 : 0;
}

static int store_teardown(void **state)
{
	struct store *s = *state;
	podd_error_t err = NULL;
	int rc = 0;

	close(s->fd);
	if (remove_tree(s->dir, &err) < 0) {
		podd_error_free(&err);
		rc = -1;
	}
	free(s);
	return rc;
}

/* A blob stored through the real writer; its digest in `d`. */
static inline void put_blob(int storefd, const void *buf, size_t len, struct digest *d)
{
	struct blob_writer w = { 0 };
	podd_error_t err = NULL;

	assert_int_equal(blob_writer_open(storefd, NULL, len, 1 << 30, &w, &err), 0);
	assert_int_equal(blob_writer_write(&w, buf, len, &err), 0);
	assert_int_equal(blob_writer_commit(&w, d, NULL, &err), 0);
}

#endif
