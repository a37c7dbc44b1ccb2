/* pt-vm.h: libvirt domains for a passthrough plan (issue 6): build a new
 * passthrough-ready domain, attach a plan's functions to an existing one or
 * detach them, check for conflicts first, and read a remote host's PCI
 * groups from libvirt's node-device API.
 *
 * Domain XML is built and edited as objects (libvirt-gconfig, and libxml2
 * nodes where libvirt-gconfig 4.0 has no setter), never from string
 * templates. Attach and detach touch only the plan's <hostdev> elements:
 * everything else in the domain survives byte for byte in meaning.
 *
 * The pure functions (pt_vm_build_xml, pt_vm_xml_attach, pt_vm_xml_detach,
 * pt_vm_check_xml) need no hypervisor; the PtVmConnection ones talk to
 * libvirt and block, so the app calls their _async variants (GTask, run in
 * a worker thread), the CLI the synchronous ones. */
#pragma once

#include <gio/gio.h>
#include <libvirt-gconfig/libvirt-gconfig.h>

#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

/* libvirt-glib 4.0 declares no cleanup function for the type we return. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomain, g_object_unref)

#define PT_VM_DEFAULT_URI     "qemu:///system"
#define PT_VM_DEFAULT_POOL    "default"
#define PT_VM_DEFAULT_NETWORK "default"
#define PT_VM_DEFAULT_DISK_GIB 64

#define PT_VM_ERROR (pt_vm_error_quark ())
GQuark pt_vm_error_quark (void);

typedef enum
{
  PT_VM_ERROR_FAILED,
  PT_VM_ERROR_NO_DAEMON,      /* libvirtd / virtqemud is not running */
  PT_VM_ERROR_PERMISSION,     /* the user may not use this URI (group libvirt) */
  PT_VM_ERROR_UNREACHABLE,    /* the URI is wrong or the host cannot be reached */
  PT_VM_ERROR_NO_DOMAIN,      /* no domain of that name */
  PT_VM_ERROR_EXISTS,         /* a domain of that name exists already */
  PT_VM_ERROR_CONFLICT,       /* a device is assigned to another domain */
  PT_VM_ERROR_INVALID_XML,    /* the domain XML cannot be read */
  PT_VM_ERROR_UNSUPPORTED,    /* the hypervisor lacks KVM, q35, UEFI or PCI hostdevs */
  PT_VM_ERROR_INVALID_ARGUMENT,
} PtVmError;

typedef enum
{
  PT_VM_GRAPHICS_SPICE,       /* SPICE + virtio video: a console until the GPU's driver is in */
  PT_VM_GRAPHICS_NONE,        /* the passed-through GPU is the only display */
} PtVmGraphics;

/* What `vm create` builds. Fields left 0 / NULL take the defaults of
 * pt_vm_options_fill_defaults(). */
typedef struct
{
  char         *name;
  guint64       memory_mib;     /* 0: a quarter of the host's RAM, 4..16 GiB */
  guint         vcpus;          /* 0: half the host's CPUs, at least 2 */
  guint         threads;        /* threads per core in the topology; 0: as the host */
  char         *disk_path;      /* an existing disk image; NULL: a new qcow2 volume */
  guint64       disk_size_gib;  /* size of the new volume; 0: PT_VM_DEFAULT_DISK_GIB */
  char         *pool;           /* storage pool for the new volume; NULL: "default" */
  char         *iso_path;       /* install medium as a SATA CD-ROM, or NULL */
  char         *network;        /* libvirt network; NULL: "default" */
  PtVmGraphics  graphics;
  gboolean      emulated;       /* the hypervisor has no KVM: domain type qemu
                                 * and CPU mode maximum (host-passthrough needs
                                 * KVM); set by pt_vm_connection_run from the
                                 * domain capabilities. Only good for tests
                                 * and nested labs: a GPU guest needs KVM. */
} PtVmOptions;

PtVmOptions *pt_vm_options_new  (const char  *name);
PtVmOptions *pt_vm_options_copy (const PtVmOptions *options);
void         pt_vm_options_free (PtVmOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtVmOptions, pt_vm_options_free)

/* The machine the VM runs on, for the defaults: from libvirt's node info
 * (pt_vm_connection_get_resources) or from a host root's proc files. */
typedef struct
{
  guint64 memory_mib;         /* 0 when unknown */
  guint   cpus;               /* logical CPUs, 0 when unknown */
  guint   threads_per_core;   /* 0 when unknown */
} PtVmResources;

/* Reads ROOT/proc/meminfo and ROOT/proc/cpuinfo; missing files leave 0s. */
void pt_vm_resources_from_root   (const char          *root,
                                  PtVmResources       *resources);
/* Fills 0 / NULL fields of @options from @resources (which may be NULL). */
void pt_vm_options_fill_defaults (PtVmOptions         *options,
                                  const PtVmResources *resources);

/* ---- issues found before writing ---------------------------------------- */

typedef enum
{
  PT_VM_ISSUE_ASSIGNED_ELSEWHERE,   /* fatal: a device is in another domain */
  PT_VM_ISSUE_LEGACY_BIOS,          /* warning: SeaBIOS, the GPU needs UEFI */
  PT_VM_ISSUE_I440FX,               /* warning: i440fx has no PCIe */
  PT_VM_ISSUE_IOMMU_INACTIVE,       /* warning: run the wizard / passthroughctl apply */
  PT_VM_ISSUE_VFIO_NOT_SET_UP,      /* warning: devices not on vfio-pci at boot */
  PT_VM_ISSUE_NO_KVM,               /* warning: the hypervisor has no KVM */
} PtVmIssueKind;

typedef struct
{
  PtVmIssueKind  kind;
  gboolean       fatal;     /* the operation refuses while this stands */
  char          *message;   /* translated: what is wrong */
  char          *fix;       /* translated: what to do, or NULL */
} PtVmIssue;

void        pt_vm_issue_free (PtVmIssue *issue);
const char *pt_vm_issue_kind_to_string (PtVmIssueKind kind);  /* stable id, e.g. "legacy-bios" */

/* Checks @domain_xml (NULL for a new domain) against @plan: firmware and
 * machine type, the host's IOMMU and vfio-pci state (from the plan's host),
 * and @assigned (PCI address -> name of the domain using it, from
 * pt_vm_connection_dup_assigned; may be NULL). @domain_name is the domain
 * being changed, whose own assignments are not conflicts. Returns
 * PtVmIssue (owned by the array), empty when all is well. */
GPtrArray *pt_vm_check_xml (const char  *domain_xml,
                            const char  *domain_name,
                            PtPlan      *plan,
                            GHashTable  *assigned,
                            GError     **error);

/* ---- pure XML functions ------------------------------------------------- */

/* A new domain for @plan: Q35, UEFI (firmware='efi'), host-passthrough CPU
 * with topology, memory and vCPUs, a virtio disk, the ISO as a SATA
 * CD-ROM, virtio network, SPICE or no graphics, every function of
 * plan->devices as a managed PCI hostdev, Hyper-V enlightenments and the
 * hypervclock timer; for NVIDIA GPUs also a Hyper-V vendor_id and
 * <kvm><hidden state='on'/></kvm> (Code 43). @options must have
 * pt_vm_options_fill_defaults() applied and a disk_path (for a new volume:
 * the path it will have). */
GVirConfigDomain *pt_vm_build_domain (PtPlan             *plan,
                                      const PtVmOptions  *options,
                                      GError            **error);
char             *pt_vm_build_xml    (PtPlan             *plan,
                                      const PtVmOptions  *options,
                                      GError            **error);

/* Adds every function of @plan->devices as a managed PCI hostdev to
 * @domain_xml, skipping those already there; nothing else changes.
 * @changed (may be NULL) says whether anything was added. Returns the new
 * XML (equal to the input when nothing changed). */
char *pt_vm_xml_attach (const char  *domain_xml,
                        PtPlan      *plan,
                        gboolean    *changed,
                        GError     **error);
/* Removes the PCI hostdevs whose source is a function of @plan->devices;
 * nothing else changes. */
char *pt_vm_xml_detach (const char  *domain_xml,
                        PtPlan      *plan,
                        gboolean    *changed,
                        GError     **error);

/* Full PCI addresses ("0000:01:00.0") of the domain's PCI hostdevs, in
 * document order. */
GStrv pt_vm_xml_dup_hostdev_addresses (const char  *domain_xml,
                                       GError     **error);

/* ---- previews and results ----------------------------------------------- */

/* What happened to a running domain (PT_VM_RUN_LIVE). */
typedef enum
{
  PT_VM_LIVE_NONE,       /* nothing done live: not running, not asked, or nothing to do */
  PT_VM_LIVE_APPLIED,    /* hot-plugged / hot-unplugged: the running VM has the change */
  PT_VM_LIVE_PENDING,    /* unplug requested; the guest has not released the device yet */
  PT_VM_LIVE_FAILED,     /* the running VM refused; the stored definition is changed */
} PtVmLive;

const char *pt_vm_live_to_string (PtVmLive live);   /* "none", "applied", "pending", "failed" */

typedef struct
{
  char      *domain;     /* domain name */
  char      *before;     /* inactive XML before, NULL for a new domain */
  char      *after;      /* the XML that is (or would be) defined */
  char      *diff;       /* unified diff before -> after (pt_diff_unified), "" when equal */
  gboolean   changed;
  GPtrArray *summary;    /* char *, translated: one line per thing added or removed */
  GPtrArray *issues;     /* PtVmIssue */
  char      *disk_path;  /* create: the disk, NULL otherwise */
  gboolean   disk_created;  /* create: a new volume was made */
  gboolean   running;    /* attach / detach: the domain runs (or is paused) */
  PtVmLive   live;       /* attach / detach with PT_VM_RUN_LIVE on a running domain */
  char      *live_error; /* translated: why the running VM did not take it (LIVE_FAILED) */
} PtVmResult;

void pt_vm_result_free (PtVmResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtVmResult, pt_vm_result_free)

/* ---- the hypervisor ------------------------------------------------------ */

#define PT_TYPE_VM_CONNECTION (pt_vm_connection_get_type ())
G_DECLARE_FINAL_TYPE (PtVmConnection, pt_vm_connection, PT, VM_CONNECTION, GObject)

/* Opens @uri (NULL: PT_VM_DEFAULT_URI). Errors say what to do: start
 * libvirtd, join the group libvirt, check the URI. */
PtVmConnection *pt_vm_connection_open        (const char           *uri,
                                              GCancellable         *cancellable,
                                              GError              **error);
void            pt_vm_connection_open_async  (const char           *uri,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
PtVmConnection *pt_vm_connection_open_finish (GAsyncResult         *result,
                                              GError              **error);

const char     *pt_vm_connection_get_uri     (PtVmConnection *self);

typedef struct
{
  gboolean  kvm;           /* domain type kvm is available */
  gboolean  q35;           /* a q35 machine type exists */
  gboolean  efi;           /* firmware='efi' (OVMF) is available */
  gboolean  hostdev_pci;   /* PCI hostdevs with the vfio backend */
  char     *machine;       /* the q35 machine's canonical name, or NULL */
  char     *emulator;      /* path of the emulator binary */
} PtVmCapabilities;

void pt_vm_capabilities_clear (PtVmCapabilities *caps);

/* virConnectGetDomainCapabilities for x86_64 q35 (KVM, else QEMU/TCG). */
gboolean pt_vm_connection_get_capabilities (PtVmConnection    *self,
                                            PtVmCapabilities  *caps,
                                            GError           **error);
/* Memory and CPUs of the hypervisor's host (virNodeGetInfo). */
gboolean pt_vm_connection_get_resources    (PtVmConnection    *self,
                                            PtVmResources     *resources,
                                            GError           **error);

typedef enum
{
  PT_VM_STATE_OFF,
  PT_VM_STATE_RUNNING,
  PT_VM_STATE_PAUSED,
  PT_VM_STATE_OTHER,
} PtVmState;

const char *pt_vm_state_to_string (PtVmState state);   /* "off", "running", … */
/* Running or paused: QEMU holds the domain's devices. */
gboolean    pt_vm_state_is_active (PtVmState state);

typedef struct
{
  char      *name;
  char      *uuid;
  PtVmState  state;
  gboolean   persistent;
  GStrv      hostdevs;     /* PCI addresses of its PCI hostdevs (inactive XML) */
  gboolean   has_plan;     /* every function of the plan is among them */
} PtVmDomainInfo;

void pt_vm_domain_info_free (PtVmDomainInfo *info);

/* Every domain (defined and transient), sorted by name, as
 * PtVmDomainInfo; @plan may be NULL (has_plan is then FALSE). */
GPtrArray  *pt_vm_connection_list_domains        (PtVmConnection  *self,
                                                  PtPlan          *plan,
                                                  GError         **error);
void        pt_vm_connection_list_domains_async  (PtVmConnection      *self,
                                                  PtPlan              *plan,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray  *pt_vm_connection_list_domains_finish (PtVmConnection  *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);

/* PCI address -> domain name for every PCI hostdev of every domain. */
GHashTable *pt_vm_connection_dup_assigned        (PtVmConnection  *self,
                                                  GError         **error);
/* The persistent (inactive) XML of domain @name. */
char       *pt_vm_connection_dup_domain_xml      (PtVmConnection  *self,
                                                  const char      *name,
                                                  GError         **error);

/* The hypervisor's PCI functions and IOMMU groups as a host (a snapshot
 * host: no root), from virConnectListAllNodeDevices. For qemu+ssh://. */
PtHost     *pt_vm_connection_load_host           (PtVmConnection  *self,
                                                  GError         **error);
/* The same from node-device XML documents (one <device> each), for tests. */
PtHost     *pt_vm_host_from_node_device_xml      (const char *const *xmls,
                                                  GError           **error);

typedef enum
{
  PT_VM_OP_CREATE,
  PT_VM_OP_ATTACH,
  PT_VM_OP_DETACH,
} PtVmOp;

typedef enum
{
  PT_VM_RUN_DEFAULT = 0,
  PT_VM_RUN_PREVIEW = 1 << 0,   /* compute before/after/diff/summary/issues, write nothing */
  PT_VM_RUN_LIVE    = 1 << 1,   /* attach / detach: also change the running domain (hotplug) */
} PtVmRunFlags;

/* Creates domain @domain from @options (PT_VM_OP_CREATE; @options->name
 * must equal @domain), or attaches / detaches @plan on domain @domain.
 * Checks first (pt_vm_check_xml); a fatal issue is a PT_VM_ERROR_CONFLICT
 * error. With PT_VM_RUN_PREVIEW nothing is written (no volume either).
 * Attach and detach change the stored (persistent) definition; with
 * PT_VM_RUN_LIVE and a running domain they then hot-plug the functions
 * (the whole group is moved to vfio-pci first, or QEMU finds the group
 * not viable) or ask the guest to release them. A live step that fails
 * is not an error: the stored change stands, result->live says so.
 * The async variant runs in a worker thread: @plan (and its host) must
 * stay alive and unchanged until the callback. */
PtVmResult *pt_vm_connection_run        (PtVmConnection       *self,
                                         PtVmOp                op,
                                         const char           *domain,
                                         PtPlan               *plan,
                                         const PtVmOptions    *options,
                                         PtVmRunFlags          flags,
                                         GCancellable         *cancellable,
                                         GError              **error);
void        pt_vm_connection_run_async  (PtVmConnection       *self,
                                         PtVmOp                op,
                                         const char           *domain,
                                         PtPlan               *plan,
                                         const PtVmOptions    *options,
                                         PtVmRunFlags          flags,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PtVmResult *pt_vm_connection_run_finish (PtVmConnection       *self,
                                         GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
