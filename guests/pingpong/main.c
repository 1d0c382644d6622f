/*
 * One side of a ping-pong pair over a shared region with doorbells.
 * cmdline: "role=ping|pong count=N [region=NAME]". Ping writes message
 * seq = 1..N into the request slot and rings; pong checks every byte,
 * answers with the bytes transformed, and rings back; ping checks the
 * answer. Both wait with upcalls masked (events_wait), so no doorbell is
 * ever lost. Ping also reports the fastest round trip in TSC ticks.
 */
#include <guest.h>

#define PAYLOAD 240

struct slot {
	volatile uint64_t seq;
	uint8_t data[PAYLOAD];
};

struct channel {
	struct slot request, reply;
};

static uint8_t request_byte(uint64_t seq, unsigned i)
{
	return (uint8_t)(seq * 31 + i * 7 + 1);
}

static uint8_t reply_byte(uint64_t seq, unsigned i)
{
	return request_byte(seq, i) ^ 0x5a;
}

static const char *arg(const char *cmdline, const char *key, char *buf, unsigned size)
{
	size_t n = strlen(key);

	for (const char *p = cmdline; *p; p++) {
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, key, n) && p[n] == '=') {
			unsigned i = 0;

			for (p += n + 1; *p && *p != ' ' && i + 1 < size; p++)
				buf[i++] = *p;
			buf[i] = '\0';
			return buf;
		}
	}
	return NULL;
}

static uint64_t number(const char *s)
{
	uint64_t v = 0;

	for (; s && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static int bad(uint64_t seq, unsigned i, const char *what)
{
	printf("FAIL pingpong: message %llu byte %u of the %s is wrong\n",
	       (unsigned long long)seq, i, what);
	return 1;
}

int main(const struct start_info *si)
{
	char role[8] = "", count_s[16] = "0", region_s[16] = "pingpong";
	const struct start_info_shared *r;
	struct channel *ch;
	uint64_t count, bell, best = ~0ull;
	bool ping;

	arg(si->cmdline, "role", role, sizeof(role));
	arg(si->cmdline, "count", count_s, sizeof(count_s));
	arg(si->cmdline, "region", region_s, sizeof(region_s));
	count = number(count_s);
	ping = !strcmp(role, "ping");
	r = shared_find(si, region_s);
	if (!r || r->size < sizeof(*ch) || (!ping && strcmp(role, "pong")) || !count) {
		printf("FAIL pingpong: need role=ping|pong, count=N and shared region '%s'\n",
		       region_s);
		return 2;
	}
	ch = (struct channel *)(uintptr_t)r->gpa;
	bell = EVENT_BIT(EVENT_DOORBELL(r->id));
	events_mask();
	events_enable(bell);

	for (uint64_t seq = 1; seq <= count; seq++) {
		if (ping) {
			uint64_t t0;

			for (unsigned i = 0; i < PAYLOAD; i++)
				ch->request.data[i] = request_byte(seq, i);
			ch->request.seq = seq;
			t0 = rdtsc();
			if (hv_doorbell_ring(r->id) != 1) {
				printf("FAIL pingpong: no peer to ring at message %llu\n",
				       (unsigned long long)seq);
				return 1;
			}
			events_wait(bell);
			uint64_t rt = rdtsc() - t0;

			if (rt < best)
				best = rt;
			if (ch->reply.seq != seq)
				return bad(seq, 0, "reply's sequence number");
			for (unsigned i = 0; i < PAYLOAD; i++)
				if (ch->reply.data[i] != reply_byte(seq, i))
					return bad(seq, i, "reply");
		} else {
			events_wait(bell);
			if (ch->request.seq != seq)
				return bad(seq, 0, "request's sequence number");
			for (unsigned i = 0; i < PAYLOAD; i++) {
				if (ch->request.data[i] != request_byte(seq, i))
					return bad(seq, i, "request");
				ch->reply.data[i] = reply_byte(seq, i);
			}
			ch->reply.seq = seq;
			hv_doorbell_ring(r->id);
		}
	}
	if (ping) {
		printf("PASS pingpong: %llu messages of %u bytes, every byte checked both ways\n",
		       (unsigned long long)count, PAYLOAD);
		printf("BENCH pingpong_roundtrip %llu\n", (unsigned long long)best);
	} else {
		printf("PASS pingpong: answered %llu messages\n", (unsigned long long)count);
	}
	return 0;
}
