/* The host's platform as Go names it (GOARCH): what image indexes list,
 * what podman prints, and what a pull or load picks by default. */
#ifndef PODD_PLATFORM_H
#define PODD_PLATFORM_H

/* "amd64", "arm64", "386", "arm", "s390x", "ppc64le", "riscv64", or
 * "unknown" on any other: from the build's target, not uname (a 32-bit
 * build on a 64-bit kernel runs 32-bit images). */
const char *podd_host_arch(void);

#endif
