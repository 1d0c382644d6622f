/* printf-style formatting for freestanding code; see lib/fmt.h. */
#include <stdbool.h>
#include <stdint.h>
#include <lib/fmt.h>

struct fmt_spec {
	int width;
	int precision;         /* -1: none */
	bool left, zero, plus, space, alt;
	char length;           /* 'H' hh, 'h', 0, 'l', 'L' ll, 'z', 'j', 't' */
};

static int pad(fmt_sink sink, void *ctx, char c, int n)
{
	for (int i = 0; i < n; i++)
		sink(ctx, c);
	return n > 0 ? n : 0;
}

/* The C99 integer conversions (C99 7.19.6.1): sign or prefix, zeros for
 * the precision (or the width, with '0'), digits, spaces for the width. */
static int emit_int(fmt_sink sink, void *ctx, uint64_t u, bool negative, bool is_signed,
		    unsigned base, bool upper, const struct fmt_spec *sp)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24], prefix[2];
	int nd = 0, np = 0, zeros, len, spaces, n = 0;
	uint64_t v = u;

	if (!(v == 0 && sp->precision == 0))
		do {
			digits[nd++] = dig[v % base];
			v /= base;
		} while (v);
	zeros = sp->precision > nd ? sp->precision - nd : 0;
	if (sp->alt && base == 8 && !zeros && (nd == 0 || digits[nd - 1] != '0'))
		zeros = 1;                        /* "%#o": a leading 0 */
	if (is_signed && negative)
		prefix[np++] = '-';
	else if (is_signed && sp->plus)
		prefix[np++] = '+';
	else if (is_signed && sp->space)
		prefix[np++] = ' ';
	if (sp->alt && base == 16 && u) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	len = np + zeros + nd;
	spaces = sp->width > len ? sp->width - len : 0;
	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += spaces;
		spaces = 0;
	}
	if (!sp->left)
		n += pad(sink, ctx, ' ', spaces);
	for (int i = 0; i < np; i++, n++)
		sink(ctx, prefix[i]);
	n += pad(sink, ctx, '0', zeros);
	for (int i = nd - 1; i >= 0; i--, n++)
		sink(ctx, digits[i]);
	if (sp->left)
		n += pad(sink, ctx, ' ', spaces);
	return n;
}

static int emit_str(fmt_sink sink, void *ctx, const char *s, const struct fmt_spec *sp)
{
	int len = 0, n = 0;

	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		n += pad(sink, ctx, ' ', sp->width - len);
	for (int i = 0; i < len; i++, n++)
		sink(ctx, s[i]);
	if (sp->left)
		n += pad(sink, ctx, ' ', sp->width - len);
	return n;
}

static int64_t signed_arg(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': case 'j': case 't': return va_arg(*ap, int64_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t unsigned_arg(va_list *ap, char length)
{
	switch (length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': case 'j': case 't': return va_arg(*ap, uint64_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Flags, width, precision and length of one conversion; *fmt moves past
 * them to the conversion character. */
static void parse_spec(const char **fmt, va_list *ap, struct fmt_spec *sp)
{
	const char *f = *fmt;

	*sp = (struct fmt_spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {          /* a negative width is a '-' flag */
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width = sp->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int); /* negative: as if none */
			if (sp->precision < 0)
				sp->precision = -1;
			f++;
		} else {
			for (sp->precision = 0; *f >= '0' && *f <= '9'; f++)
				sp->precision = sp->precision * 10 + (*f - '0');
		}
	}
	if (*f == 'h' || *f == 'l') {
		sp->length = *f++;
		if (*f == sp->length) {           /* hh, ll */
			sp->length = sp->length == 'h' ? 'H' : 'L';
			f++;
		}
	} else if (*f == 'z' || *f == 'j' || *f == 't') {
		sp->length = *f++;
	}
	*fmt = f;
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
	va_list ap;
	int n = 0;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		struct fmt_spec sp;
		const char *start = fmt;

		if (*fmt != '%') {
			sink(ctx, *fmt);
			n++;
			continue;
		}
		fmt++;
		parse_spec(&fmt, &ap, &sp);
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t s = signed_arg(&ap, sp.length);

			n += emit_int(sink, ctx, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, true, 10,
				      false, &sp);
			break;
		}
		case 'u':
			n += emit_int(sink, ctx, unsigned_arg(&ap, sp.length), false, false, 10, false, &sp);
			break;
		case 'o':
			n += emit_int(sink, ctx, unsigned_arg(&ap, sp.length), false, false, 8, false, &sp);
			break;
		case 'x':
		case 'X':
			n += emit_int(sink, ctx, unsigned_arg(&ap, sp.length), false, false, 16,
				      *fmt == 'X', &sp);
			break;
		case 'p': {
			uint64_t u = (uintptr_t)va_arg(ap, void *);

			if (!u) {
				n += emit_str(sink, ctx, "(nil)", &sp); /* as the C library prints it */
				break;
			}
			sp.alt = true;
			n += emit_int(sink, ctx, u, false, false, 16, false, &sp);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);

			n += emit_str(sink, ctx, str ? str : "(null)", &sp);
			break;
		}
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			struct fmt_spec one = sp;

			one.precision = 1;
			if (!c[0]) {                      /* a NUL is still one character */
				n += pad(sink, ctx, ' ', sp.left ? 0 : sp.width - 1);
				sink(ctx, 0);
				n += 1 + pad(sink, ctx, ' ', sp.left ? sp.width - 1 : 0);
				break;
			}
			n += emit_str(sink, ctx, c, &one);
			break;
		}
		case '%':
			sink(ctx, '%');
			n++;
			break;
		case 'n':
			(void)va_arg(ap, int *);                 /* consumed, never written */
			break;
		case '\0':
			va_end(ap);
			return n;
		default:
			/* Unknown (the compiler rejects these in literal formats):
			 * print the conversion as written; it takes no argument. */
			for (const char *p = start; p <= fmt; p++, n++)
				sink(ctx, *p);
		}
	}
	va_end(ap);
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
