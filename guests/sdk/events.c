/* Virtual events in the SDK: upcalls or masked waiting; see guest.h. */
#include <guest.h>

void sdk_event_entry(void);
void sdk_event_dispatch(void);

static event_handler_fn user_handler;

static struct event_page *page(void)
{
	return (struct event_page *)(uintptr_t)EVENT_PAGE_GPA;
}

void sdk_event_dispatch(void)
{
	struct event_page *ep = page();
	uint64_t got = ep->pending & ep->enabled;

	/* The hypervisor sets bits only while we do not run: no race here. */
	ep->pending &= ~got;
	if (user_handler)
		user_handler(got);
}

void events_set_handler(event_handler_fn fn)
{
	user_handler = fn;
	hv_event_register(fn ? (const void *)sdk_event_entry : NULL);
}

void events_enable(uint64_t bits)
{
	page()->enabled |= bits;
}

void events_disable(uint64_t bits)
{
	page()->enabled &= ~bits;
}

void events_mask(void)
{
	page()->masked = 1;
}

void events_unmask(void)
{
	page()->masked = 0;
	/* Pending events are delivered at the next exit: make one now. */
	if (page()->pending & page()->enabled)
		hv_abi_version();
}

uint64_t events_pending(void)
{
	return page()->pending;
}

uint64_t events_wait(uint64_t bits)
{
	struct event_page *ep = page();
	uint64_t got;

	/* HLT sleeps only while no enabled event is pending, and with upcalls
	 * masked the pending bits stay until we clear them: no lost wake-up. */
	while (!(ep->pending & bits))
		asm volatile("sti; hlt; cli" ::: "memory");
	got = ep->pending & bits;
	ep->pending &= ~got;
	return got;
}

const struct start_info_shared *shared_find(const struct start_info *si, const char *name)
{
	for (unsigned i = 0; i < si->nr_shared; i++)
		if (!strcmp(si->shared[i].name, name))
			return &si->shared[i];
	return NULL;
}
