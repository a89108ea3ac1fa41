// Package domstats reads libvirt's bulk stats of the launcher's one domain
// (state, cpu-total, balloon, vcpu, interface, block) and maps them into the
// launcher protocol's DomainStatsReply, bounded in size. It must not import
// virt-handler code or the command server.
package domstats
