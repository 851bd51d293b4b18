/* Applying a process's sandbox: capabilities (libcap, bounding set
 * included), securebits, no_new_privs, Landlock, and the seccomp filter
 * compiled for it at build time (filters.h), installed with seccomp(2). */
#include "sandbox.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filters.h"
#include "landlock.h"
#include "log.h"

static int drop_capabilities(const struct podd_sandbox_policy *p, podd_error_t *err)
{
	cap_t caps = NULL;
	int last = (int)cap_max_bits() - 1;
	bool have_setpcap = false;
	cap_flag_value_t v = CAP_CLEAR;

	caps = cap_get_proc();
	if (caps && cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0)
		have_setpcap = v == CAP_SET;
	cap_free(caps);

	if (have_setpcap) {
		/* Nothing dropped from the bounding set comes back through an
		 * exec, and root's uid never regains capabilities. */
		for (int c = 0; c <= last; c++) {
			bool keep = false;
			for (size_t k = 0; k < p->nkeep_caps; k++)
				keep = keep || p->keep_caps[k] == c;
			if (!keep && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0)
				return podd_error_sys(err, errno, "drop capability %d from bounding set",
						      c);
		}
		if (p->seccomp == PODD_SECCOMP_ALLOWLIST &&
		    cap_set_secbits(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
				    SECBIT_NO_CAP_AMBIENT_RAISE |
				    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) < 0)
			return podd_error_sys(err, errno, "set securebits");
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		return podd_error_sys(err, errno, "clear ambient capabilities");

	caps = cap_init();
	if (caps == NULL)
		return podd_error_sys(err, errno, "capabilities");
	if (p->nkeep_caps > 0 &&
	    (cap_set_flag(caps, CAP_PERMITTED, (int)p->nkeep_caps, p->keep_caps, CAP_SET) < 0 ||
	     cap_set_flag(caps, CAP_EFFECTIVE, (int)p->nkeep_caps, p->keep_caps, CAP_SET) < 0)) {
		cap_free(caps);
		return podd_error_sys(err, errno, "capabilities");
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return podd_error_sys(err, e, "set capabilities");
	}
	cap_free(caps);
	return 0;
}

/* The filter compiled at build time for this policy's process. */
static const struct podd_filter *filter_for(const char *process)
{
	for (size_t i = 0; i < podd_nfilters; i++)
		if (strcmp(podd_filters[i].process, process) == 0)
			return &podd_filters[i];
	return NULL;
}

int podd_sandbox_apply(const struct podd_sandbox_policy *p, podd_error_t *err)
{
	const struct podd_filter *f = filter_for(p->process);
	struct sock_fprog prog;

	if (f == NULL)
		return podd_error(err, PODD_E_INTERNAL, "%s sandbox: no seccomp filter compiled in",
				  p->process);

	if (!p->keep_all_caps && drop_capabilities(p, err) < 0)
		return podd_error_wrap(err, "%s sandbox", p->process);

	if (p->seccomp == PODD_SECCOMP_ALLOWLIST &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return podd_error_sys(err, errno, "%s sandbox: no_new_privs", p->process);

	if (p->landlock && podd_landlock_restrict_ex(p->landlock_dirs, p->landlock_ro_paths,
						     p->inet_client, err) < 0)
		return podd_error_wrap(err, "%s sandbox", p->process);

	prog.len = f->len;
	prog.filter = (struct sock_filter *)f->insns;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return podd_error_sys(err, errno, "%s sandbox: install seccomp filter", p->process);
	podd_debug("sandboxed: %zu capabilities kept, seccomp %s, landlock %s", p->nkeep_caps,
		   p->seccomp == PODD_SECCOMP_ALLOWLIST ? "allowlist" : "denylist",
		   p->landlock ? "on" : "off");
	return 0;
}
