/* Counting exchanges and telling the live display about each (see proxy.h proxy_on_exchange). */
#include "vendor-proxy/proxy_int.h"

#include <string.h>

void tally_exchange(struct proxy *p, enum proxy_outcome o, const struct exchange *x, const char *error)
{
	struct buf url = {0};
	buf_puts(&url, "");
	if (x->url != NULL)
		redact_text(p->redact, x->url, strlen(x->url), &url);
	const char *method = x->method != NULL ? x->method : "?";
	p->n_exchanges++;
	if (o == PROXY_RECORDED)
		p->n_recorded++;
	else if (o == PROXY_REPLAYED || o == PROXY_REPEATED)
		p->n_replayed++;
	else if (o == PROXY_UNRECORDED)
		json_array_append_new(p->unrecorded,
				      json_pack("{s:s, s:s%}", "method", method, "url", url.data, url.len));
	else if (o == PROXY_FAILED)
		json_array_append_new(p->failed, json_pack("{s:s, s:s%, s:s}", "method", method, "url", url.data,
							   url.len, "error", error ? error : ""));
	if (p->cb != NULL) {
		struct proxy_exchange e = {
			.outcome = o,
			.method = method,
			.url = url.data,
			.status = x->status,
			.bytes = x->bytes,
			.duration_ms = loop_now_ms() - x->t0,
			.error = error,
		};
		p->cb(p->cb_arg, &e);
	}
	buf_free(&url);
}
