/* --detach-keys (detach_keys.h). */
#include <string.h>

#include "detach_keys.h"

void detach_keys_default(struct detach_keys *out)
{
	*out = (struct detach_keys){ .seq = { 0x10, 0x11 }, .n = 2 };
}

/* One key: a single character, or ctrl-<value>. -1 if neither. */
static int key_value(const char *k, size_t len)
{
	static const char ctrl_punct[] = "@[\\]^_"; /* 0, 27..31 */

	if (len == 1)
		return (unsigned char)k[0];
	if (len != 6 || strncmp(k, "ctrl-", 5) != 0)
		return -1;
	if (k[5] >= 'a' && k[5] <= 'z')
		return k[5] - 'a' + 1;
	if (k[5] == '@')
		return 0;
	const char *p = strchr(ctrl_punct + 1, k[5]);
	if (k[5] != '\0' && p)
		return 27 + (int)(p - (ctrl_punct + 1));
	return -1;
}

int detach_keys_parse(const char *s, struct detach_keys *out, podd_error_t *err)
{
	const char *p = s;

	*out = (struct detach_keys){ 0 };
	if (s[0] == '\0')
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int v = key_value(p, len);

		if (v < 0 || out->n == DETACH_KEYS_MAX)
			return podd_error(err, PODD_E_INVALID_ARGUMENT,
					  "invalid detach keys \"%.64s\": use a comma-separated "
					  "sequence of at most %d single characters or ctrl-<value>, "
					  "<value> one of a-z @ [ \\ ] ^ _",
					  s, DETACH_KEYS_MAX);
		out->seq[out->n++] = (unsigned char)v;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n,
		      unsigned char *out, size_t *out_n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char buf[DETACH_KEYS_MAX + 1];
		size_t len, cut;

		if (k->n == 0) {
			out[m++] = in[i];
			continue;
		}
		if (in[i] == k->seq[k->matched]) {
			if (++k->matched < k->n)
				continue;
			k->matched = 0;
			*out_n = m;
			return true;
		}
		/* The held prefix and this byte are no match. The longest tail
		 * of them that starts the sequence stays held (ctrl-p ctrl-p
		 * ctrl-q detaches); what comes before it goes to the container. */
		memcpy(buf, k->seq, k->matched);
		buf[k->matched] = in[i];
		len = k->matched + 1;
		for (cut = 1; cut < len; cut++)
			if (memcmp(buf + cut, k->seq, len - cut) == 0)
				break;
		memcpy(out + m, buf, cut);
		m += cut;
		k->matched = len - cut;
	}
	*out_n = m;
	return false;
}
