/*
 * hv/lib/fmt.c against the C library: every combination of flags, width,
 * precision, length and integer conversion (plus %c, %s, %p, %%) over
 * boundary values, formatted by both, compared byte for byte, return
 * values too. Combinations the C standard leaves undefined (a '#' on d,
 * '+' on u ...) are left out. Prints the first mismatches and
 * "compared N"; exits with the number of mismatches.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lib/fmt.h>

static long compared, mismatches;

#define CHECK(fmt, ...)                                                             \
	do {                                                                        \
		char want[256], got[256];                                           \
		int w = snprintf(want, sizeof(want), fmt, __VA_ARGS__);             \
		int g = fmt_snprintf(got, sizeof(got), fmt, __VA_ARGS__);           \
		compared++;                                                         \
		if (w != g || strcmp(want, got)) {                                  \
			if (mismatches++ < 20)                                      \
				printf("MISMATCH %-12s libc [%s] %d, ours [%s] %d\n", fmt, \
				       want, w, got, g);                            \
		}                                                                   \
	} while (0)

static const long long values[] = {
	0, 1, -1, 7, -7, 8, 42, -42, 127, -128, 255, 256, 32767, -32768, 65535, 65536,
	2147483647LL, -2147483647LL - 1, 4294967295LL, 4294967296LL,
	9223372036854775807LL, -9223372036854775807LL - 1, 0x123456789abcdefLL,
};

static void one(const char *fmt, char length, char conv, long long v, int star_w, int star_p)
{
	int stars = (strstr(fmt, "*.") || (strchr(fmt, '*') && !strstr(fmt, ".*"))) + !!strstr(fmt, ".*");
	int is_signed = conv == 'd' || conv == 'i';

#define WITH(arg)                                                                   \
	do {                                                                        \
		if (stars == 2) CHECK(fmt, star_w, star_p, arg);                    \
		else if (strstr(fmt, ".*")) CHECK(fmt, star_p, arg);                \
		else if (stars) CHECK(fmt, star_w, arg);                            \
		else CHECK(fmt, arg);                                               \
	} while (0)
	switch (length) {
	case 'H': if (is_signed) WITH((signed char)v); else WITH((unsigned char)v); break;
	case 'h': if (is_signed) WITH((short)v); else WITH((unsigned short)v); break;
	case 0: if (is_signed) WITH((int)v); else WITH((unsigned)v); break;
	case 'l': if (is_signed) WITH((long)v); else WITH((unsigned long)v); break;
	case 'L': if (is_signed) WITH((long long)v); else WITH((unsigned long long)v); break;
	case 'z': if (is_signed) WITH((long)v); else WITH((size_t)v); break;
	case 'j': if (is_signed) WITH((intmax_t)v); else WITH((uintmax_t)v); break;
	}
}

int main(void)
{
	static const char *const widths[] = { "", "1", "5", "12", "*" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".10", ".*" };
	static const char *const lengths[] = { "hh", "h", "", "l", "ll", "z", "j" };
	static const char codes[] = { 'H', 'h', 0, 'l', 'L', 'z', 'j' };
	static const int star_values[] = { 0, 3, -3, 9, -9 };
	const char *convs = "diuoxX", *flagset = "-0+ #";

	for (int f = 0; f < 32; f++)
		for (const char *c = convs; *c; c++) {
			int is_signed = *c == 'd' || *c == 'i';
			char flags[8] = "";
			int nf = 0;

			for (int b = 0; b < 5; b++)
				if (f & (1 << b))
					flags[nf++] = flagset[b];
			flags[nf] = 0;
			if ((strchr(flags, '#') && (*c == 'd' || *c == 'i' || *c == 'u')) ||
			    ((strchr(flags, '+') || strchr(flags, ' ')) && !is_signed))
				continue; /* undefined by the standard */
			for (unsigned w = 0; w < 5; w++)
				for (unsigned p = 0; p < 7; p++)
					for (unsigned l = 0; l < 7; l++) {
						char fmt[32];

						snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%c", flags,
							 widths[w], precs[p], lengths[l], *c);
						for (unsigned v = 0; v < sizeof(values) / sizeof(values[0]); v++)
							for (unsigned s = 0; s < (strchr(fmt, '*') ? 5u : 1u); s++)
								one(fmt, codes[l], *c, values[v],
								    star_values[s], star_values[(s + 2) % 5]);
					}
		}
	/* Characters, strings, pointers, percent signs, and neighbours. */
	static const char *const cfmts[] = { "%c", "%5c", "%-5c", "[%c]" };
	for (unsigned i = 0; i < 4; i++)
		for (int ch = 1; ch < 128; ch += 9)
			CHECK(cfmts[i], ch);
	static const char *const sfmts[] = { "%s", "%10s", "%-10s", "%.3s", "%10.3s", "%-10.0s",
					     "%.0s", "%*s", "%-*.*s" };
	static const char *const strs[] = { "", "a", "abc", "hello, world" };
	for (unsigned i = 0; i < 9; i++)
		for (unsigned j = 0; j < 4; j++) {
			if (i == 7)
				CHECK(sfmts[i], 8, strs[j]);
			else if (i == 8)
				CHECK(sfmts[i], 8, 2, strs[j]);
			else
				CHECK(sfmts[i], strs[j]);
		}
	CHECK("%p", (void *)0x1000);
	CHECK("%p", (void *)0);
	CHECK("%20p|%-20p|", (void *)0xdeadbeef, (void *)0xdeadbeef);
	CHECK("%%|%5%|%-5%|%d%%", 3);
	CHECK("%d %s %x %c %lu", -5, "mid", 255u, 'z', 123456789ul);
	printf("compared %ld, %ld mismatches\n", compared, mismatches);
	return mismatches > 255 ? 255 : (int)mismatches;
}
