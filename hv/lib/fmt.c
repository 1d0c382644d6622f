/* printf-style formatting for freestanding code; see lib/fmt.h. */
#include <stdbool.h>
#include <stdint.h>
#include <lib/fmt.h>

struct fmt_spec {
	unsigned width;
	int precision; /* -1: none; for %s, the most characters printed */
	bool zero_pad, left;
	int longness; /* 0 = int, 1 = long, 2 = long long / size_t */
};

static int emit_padded(fmt_sink sink, void *ctx, const char *s, unsigned len,
		       const struct fmt_spec *sp)
{
	unsigned pad = sp->width > len ? sp->width - len : 0;
	char padc = sp->zero_pad && !sp->left ? '0' : ' ';
	int n = 0;

	for (; !sp->left && pad; pad--, n++)
		sink(ctx, padc);
	for (unsigned i = 0; i < len; i++, n++)
		sink(ctx, s[i]);
	for (; sp->left && pad; pad--, n++)
		sink(ctx, ' ');
	return n;
}

static int emit_number(fmt_sink sink, void *ctx, uint64_t v, unsigned base,
		       bool negative, bool upper, const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (sp->zero_pad && sp->width) {
			/* The sign goes before the zero padding: "-0042". */
			struct fmt_spec rest = *sp;
			sink(ctx, '-');
			rest.width = sp->width ? sp->width - 1 : 0;
			return 1 + emit_padded(sink, ctx, tmp + i, sizeof(tmp) - i, &rest);
		}
		tmp[--i] = '-';
	}
	return emit_padded(sink, ctx, tmp + i, sizeof(tmp) - i, sp);
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	int n = 0;

	for (; *fmt; fmt++) {
		struct fmt_spec sp = { .precision = -1 };
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			sink(ctx, *fmt);
			n++;
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				sp.zero_pad = true;
			else if (*fmt == '-')
				sp.left = true;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (unsigned)(*fmt - '0');
		if (*fmt == '.')
			for (sp.precision = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.precision = sp.precision * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			sp.longness += *fmt == 'z' ? 2 : 1;

		switch (*fmt) {
		case 'd':
		case 'i':
			s = sp.longness ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			n += emit_number(sink, ctx, u, 10, s < 0, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = sp.longness ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			n += emit_number(sink, ctx, u, *fmt == 'u' ? 10 : 16, false,
					 *fmt == 'X', &sp);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			sink(ctx, '0');
			sink(ctx, 'x');
			n += 2 + emit_number(sink, ctx, u, 16, false, false, &sp);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			unsigned len = 0;

			if (!str)
				str = "(null)";
			while (str[len] && (sp.precision < 0 || len < (unsigned)sp.precision))
				len++;
			n += emit_padded(sink, ctx, str, len, &sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			n += emit_padded(sink, ctx, &c, 1, &sp);
			break;
		}
		case '%':
			sink(ctx, '%');
			n++;
			break;
		case '\0':
			return n;
		default:
			/* Unknown conversion: print it literally so the bug shows. */
			sink(ctx, '%');
			sink(ctx, *fmt);
			n += 2;
		}
	}
	return n;
}

struct sn_ctx {
	char *buf;
	size_t size, pos;
};

static void sn_sink(void *p, char c)
{
	struct sn_ctx *ctx = p;

	if (ctx->pos + 1 < ctx->size)
		ctx->buf[ctx->pos] = c;
	ctx->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sn_ctx ctx = { buf, size, 0 };
	int n = fmt_vformat(sn_sink, &ctx, fmt, ap);

	if (size)
		buf[ctx.pos < size ? ctx.pos : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
