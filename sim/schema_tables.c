/*
 * schema_tables: every proto message reachable from mesos.v1.scheduler.Call, written out by hand
 * from include/mesos/v1/scheduler/scheduler.proto and include/mesos/v1/mesos.proto
 * (Mesos 1.11/1.12).
 *
 * Rules for editing:
 *   - fields appear in the order the .proto declares them (not by number): protobuf lists missing
 *     required fields in declaration order, and the walker reproduces that;
 *   - names, numbers, labels and enum value names are copied from the .proto exactly;
 *   - messages are defined leaves first, so no forward declarations are needed (nothing reachable
 *     from a Call is recursive).
 * tests/unit/test_sim_schema.c checks the tables for duplicate names and numbers and dangling refs.
 *
 * Messages that exist in mesos.proto but cannot appear in a Call (Attribute, Value.Text, UUID,
 * ContainerID, TimeInfo, TaskStatus, Offer itself...) are deliberately absent.
 */
#include "schema_internal.h"

#include "util.h"

#define REQ SCHEMA_REQUIRED
#define OPT SCHEMA_OPTIONAL
#define REP SCHEMA_REPEATED

#define F_SCALAR(nm, no, lab, k)                                                                   \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = (k), .label = (lab)                                  \
    }
#define F_STRING(nm, no, lab) F_SCALAR(nm, no, lab, SCHEMA_STRING)
#define F_BYTES(nm, no, lab)  F_SCALAR(nm, no, lab, SCHEMA_BYTES)
#define F_BOOL(nm, no, lab)   F_SCALAR(nm, no, lab, SCHEMA_BOOL)
#define F_INT32(nm, no, lab)  F_SCALAR(nm, no, lab, SCHEMA_INT32)
#define F_UINT32(nm, no, lab) F_SCALAR(nm, no, lab, SCHEMA_UINT32)
#define F_INT64(nm, no, lab)  F_SCALAR(nm, no, lab, SCHEMA_INT64)
#define F_UINT64(nm, no, lab) F_SCALAR(nm, no, lab, SCHEMA_UINT64)
#define F_DOUBLE(nm, no, lab) F_SCALAR(nm, no, lab, SCHEMA_DOUBLE)
#define F_ENUM(nm, no, lab, e)                                                                     \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_ENUM, .label = (lab), .enumeration = &(e)     \
    }
#define F_MSG(nm, no, lab, m)                                                                      \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_MESSAGE, .label = (lab), .message = &(m)      \
    }
#define F_MAP_MSG(nm, no, m)                                                                       \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_MESSAGE, .label = SCHEMA_MAP, .message = &(m) \
    }
#define F_MAP_STRING(nm, no)                                                                       \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_STRING, .label = SCHEMA_MAP                   \
    }
/* Members of a oneof are optional fields that additionally may not be set together. */
#define F_ONEOF_MSG(group, nm, no, m)                                                              \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_MESSAGE, .label = OPT, .oneof = (group),      \
        .message = &(m)                                                                            \
    }
#define F_ONEOF_ENUM(group, nm, no, e)                                                             \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_ENUM, .label = OPT, .oneof = (group),         \
        .enumeration = &(e)                                                                        \
    }
#define F_ONEOF_STRING(group, nm, no)                                                              \
    {                                                                                              \
        .name = (nm), .number = (no), .kind = SCHEMA_STRING, .label = OPT, .oneof = (group)        \
    }

#define DEFINE_MESSAGE(id, full, ...)                                                              \
    static const schema_field id##_fields[] = {__VA_ARGS__};                                       \
    static const schema_message id = {(full), id##_fields, MK_ARRAY_LEN(id##_fields)}
#define DEFINE_EMPTY_MESSAGE(id, full) static const schema_message id = {(full), NULL, 0}
#define DEFINE_ENUM(id, full, ...)                                                                 \
    static const char *const id##_names[] = {__VA_ARGS__};                                         \
    static const schema_enum id = {(full), id##_names, MK_ARRAY_LEN(id##_names)}

/* ---------------------------------------------------------------------------------------------- */
/* Enums (value names only: the master refuses enum numbers in JSON, so numbers are never needed).
 */

DEFINE_ENUM(E_CallType, "mesos.v1.scheduler.Call.Type", "UNKNOWN", "SUBSCRIBE", "TEARDOWN",
            "ACCEPT", "DECLINE", "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS", "REVIVE",
            "KILL", "SHUTDOWN", "ACKNOWLEDGE", "ACKNOWLEDGE_OPERATION_STATUS", "RECONCILE",
            "RECONCILE_OPERATIONS", "MESSAGE", "REQUEST", "SUPPRESS", "UPDATE_FRAMEWORK");
DEFINE_ENUM(E_PseudoattributeType,
            "mesos.v1.scheduler.AttributeConstraint.Selector.PseudoattributeType", "UNKNOWN",
            "HOSTNAME", "REGION", "ZONE");
DEFINE_ENUM(E_FrameworkCapabilityType, "mesos.v1.FrameworkInfo.Capability.Type", "UNKNOWN",
            "REVOCABLE_RESOURCES", "TASK_KILLING_STATE", "GPU_RESOURCES", "SHARED_RESOURCES",
            "PARTITION_AWARE", "MULTI_ROLE", "RESERVATION_REFINEMENT", "REGION_AWARE");
DEFINE_ENUM(E_OperationType, "mesos.v1.Offer.Operation.Type", "UNKNOWN", "LAUNCH", "LAUNCH_GROUP",
            "RESERVE", "UNRESERVE", "CREATE", "DESTROY", "GROW_VOLUME", "SHRINK_VOLUME",
            "CREATE_DISK", "DESTROY_DISK");
DEFINE_ENUM(E_ValueType, "mesos.v1.Value.Type", "SCALAR", "RANGES", "SET", "TEXT");
DEFINE_ENUM(E_ReservationType, "mesos.v1.Resource.ReservationInfo.Type", "UNKNOWN", "STATIC",
            "DYNAMIC");
DEFINE_ENUM(E_DiskSourceType, "mesos.v1.Resource.DiskInfo.Source.Type", "UNKNOWN", "PATH", "MOUNT",
            "BLOCK", "RAW");
DEFINE_ENUM(E_ExecutorType, "mesos.v1.ExecutorInfo.Type", "UNKNOWN", "DEFAULT", "CUSTOM");
DEFINE_ENUM(E_VariableType, "mesos.v1.Environment.Variable.Type", "UNKNOWN", "VALUE", "SECRET");
DEFINE_ENUM(E_SecretType, "mesos.v1.Secret.Type", "UNKNOWN", "REFERENCE", "VALUE");
DEFINE_ENUM(E_ImageType, "mesos.v1.Image.Type", "APPC", "DOCKER");
DEFINE_ENUM(E_MountPropagationMode, "mesos.v1.MountPropagation.Mode", "UNKNOWN",
            "HOST_TO_CONTAINER", "BIDIRECTIONAL");
DEFINE_ENUM(E_VolumeMode, "mesos.v1.Volume.Mode", "RW", "RO");
DEFINE_ENUM(E_VolumeSourceType, "mesos.v1.Volume.Source.Type", "UNKNOWN", "DOCKER_VOLUME",
            "HOST_PATH", "SANDBOX_PATH", "SECRET", "CSI_VOLUME");
DEFINE_ENUM(E_SandboxPathType, "mesos.v1.Volume.Source.SandboxPath.Type", "UNKNOWN", "SELF",
            "PARENT");
DEFINE_ENUM(E_CSIAccessMode, "mesos.v1.Volume.Source.CSIVolume.VolumeCapability.AccessMode.Mode",
            "UNKNOWN", "SINGLE_NODE_WRITER", "SINGLE_NODE_READER_ONLY", "MULTI_NODE_READER_ONLY",
            "MULTI_NODE_SINGLE_WRITER", "MULTI_NODE_MULTI_WRITER");
DEFINE_ENUM(E_NetworkProtocol, "mesos.v1.NetworkInfo.Protocol", "IPv4", "IPv6");
DEFINE_ENUM(E_LinuxCapability, "mesos.v1.CapabilityInfo.Capability", "UNKNOWN", "CHOWN",
            "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
            "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
            "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
            "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE",
            "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
            "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND",
            "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");
DEFINE_ENUM(E_IpcMode, "mesos.v1.LinuxInfo.IpcMode", "UNKNOWN", "PRIVATE", "SHARE_PARENT");
DEFINE_ENUM(E_RLimitType, "mesos.v1.RLimitInfo.RLimit.Type", "UNKNOWN", "RLMT_AS", "RLMT_CORE",
            "RLMT_CPU", "RLMT_DATA", "RLMT_FSIZE", "RLMT_LOCKS", "RLMT_MEMLOCK", "RLMT_MSGQUEUE",
            "RLMT_NICE", "RLMT_NOFILE", "RLMT_NPROC", "RLMT_RSS", "RLMT_RTPRIO", "RLMT_RTTIME",
            "RLMT_SIGPENDING", "RLMT_STACK");
DEFINE_ENUM(E_ContainerType, "mesos.v1.ContainerInfo.Type", "DOCKER", "MESOS");
DEFINE_ENUM(E_DockerNetwork, "mesos.v1.ContainerInfo.DockerInfo.Network", "HOST", "BRIDGE", "NONE",
            "USER");
DEFINE_ENUM(E_HealthCheckType, "mesos.v1.HealthCheck.Type", "UNKNOWN", "COMMAND", "HTTP", "TCP");
DEFINE_ENUM(E_CheckType, "mesos.v1.CheckInfo.Type", "UNKNOWN", "COMMAND", "HTTP", "TCP");
DEFINE_ENUM(E_DiscoveryVisibility, "mesos.v1.DiscoveryInfo.Visibility", "FRAMEWORK", "CLUSTER",
            "EXTERNAL");

/* ---------------------------------------------------------------------------------------------- */
/* Identifiers and small value types. */

DEFINE_MESSAGE(M_FrameworkID, "mesos.v1.FrameworkID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_OfferID, "mesos.v1.OfferID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_AgentID, "mesos.v1.AgentID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_TaskID, "mesos.v1.TaskID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_ExecutorID, "mesos.v1.ExecutorID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_ResourceProviderID, "mesos.v1.ResourceProviderID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_OperationID, "mesos.v1.OperationID", F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_DurationInfo, "mesos.v1.DurationInfo", F_INT64("nanoseconds", 1, REQ));

DEFINE_MESSAGE(M_Label, "mesos.v1.Label", F_STRING("key", 1, REQ), F_STRING("value", 2, OPT));
DEFINE_MESSAGE(M_Labels, "mesos.v1.Labels", F_MSG("labels", 1, REP, M_Label));

DEFINE_MESSAGE(M_Parameter, "mesos.v1.Parameter", F_STRING("key", 1, REQ),
               F_STRING("value", 2, REQ));
DEFINE_MESSAGE(M_Parameters, "mesos.v1.Parameters", F_MSG("parameter", 1, REP, M_Parameter));

DEFINE_MESSAGE(M_Credential, "mesos.v1.Credential", F_STRING("principal", 1, REQ),
               F_STRING("secret", 2, OPT));

DEFINE_MESSAGE(M_ValueScalar, "mesos.v1.Value.Scalar", F_DOUBLE("value", 1, REQ));
DEFINE_MESSAGE(M_ValueRange, "mesos.v1.Value.Range", F_UINT64("begin", 1, REQ),
               F_UINT64("end", 2, REQ));
DEFINE_MESSAGE(M_ValueRanges, "mesos.v1.Value.Ranges", F_MSG("range", 1, REP, M_ValueRange));
DEFINE_MESSAGE(M_ValueSet, "mesos.v1.Value.Set", F_STRING("item", 1, REP));

DEFINE_MESSAGE(M_Filters, "mesos.v1.Filters", F_DOUBLE("refuse_seconds", 1, OPT));

/* ---------------------------------------------------------------------------------------------- */
/* Secret, Environment, CommandInfo. */

DEFINE_MESSAGE(M_SecretReference, "mesos.v1.Secret.Reference", F_STRING("name", 1, REQ),
               F_STRING("key", 2, OPT));
DEFINE_MESSAGE(M_SecretValue, "mesos.v1.Secret.Value", F_BYTES("data", 1, REQ));
DEFINE_MESSAGE(M_Secret, "mesos.v1.Secret", F_ENUM("type", 1, OPT, E_SecretType),
               F_MSG("reference", 2, OPT, M_SecretReference),
               F_MSG("value", 3, OPT, M_SecretValue));

DEFINE_MESSAGE(M_EnvironmentVariable, "mesos.v1.Environment.Variable", F_STRING("name", 1, REQ),
               F_ENUM("type", 3, OPT, E_VariableType), F_STRING("value", 2, OPT),
               F_MSG("secret", 4, OPT, M_Secret));
DEFINE_MESSAGE(M_Environment, "mesos.v1.Environment",
               F_MSG("variables", 1, REP, M_EnvironmentVariable));

DEFINE_MESSAGE(M_CommandInfoURI, "mesos.v1.CommandInfo.URI", F_STRING("value", 1, REQ),
               F_BOOL("executable", 2, OPT), F_BOOL("extract", 3, OPT), F_BOOL("cache", 4, OPT),
               F_STRING("output_file", 5, OPT));
DEFINE_MESSAGE(M_CommandInfo, "mesos.v1.CommandInfo", F_MSG("uris", 1, REP, M_CommandInfoURI),
               F_MSG("environment", 2, OPT, M_Environment), F_BOOL("shell", 6, OPT),
               F_STRING("value", 3, OPT), F_STRING("arguments", 7, REP), F_STRING("user", 5, OPT));

/* ---------------------------------------------------------------------------------------------- */
/* Image and Volume (with every Source kind, CSI included). */

DEFINE_MESSAGE(M_ImageAppc, "mesos.v1.Image.Appc", F_STRING("name", 1, REQ), F_STRING("id", 2, OPT),
               F_MSG("labels", 3, OPT, M_Labels));
DEFINE_MESSAGE(M_ImageDocker, "mesos.v1.Image.Docker", F_STRING("name", 1, REQ),
               F_MSG("credential", 2, OPT, M_Credential), F_MSG("config", 3, OPT, M_Secret));
DEFINE_MESSAGE(M_Image, "mesos.v1.Image", F_ENUM("type", 1, REQ, E_ImageType),
               F_MSG("appc", 2, OPT, M_ImageAppc), F_MSG("docker", 3, OPT, M_ImageDocker),
               F_BOOL("cached", 4, OPT));

DEFINE_MESSAGE(M_MountPropagation, "mesos.v1.MountPropagation",
               F_ENUM("mode", 1, OPT, E_MountPropagationMode));

DEFINE_MESSAGE(M_VolumeDockerVolume, "mesos.v1.Volume.Source.DockerVolume",
               F_STRING("driver", 1, OPT), F_STRING("name", 2, REQ),
               F_MSG("driver_options", 3, OPT, M_Parameters));
DEFINE_MESSAGE(M_VolumeHostPath, "mesos.v1.Volume.Source.HostPath", F_STRING("path", 1, REQ),
               F_MSG("mount_propagation", 2, OPT, M_MountPropagation));
DEFINE_MESSAGE(M_VolumeSandboxPath, "mesos.v1.Volume.Source.SandboxPath",
               F_ENUM("type", 1, OPT, E_SandboxPathType), F_STRING("path", 2, REQ));

DEFINE_EMPTY_MESSAGE(M_CSIBlockVolume,
                     "mesos.v1.Volume.Source.CSIVolume.VolumeCapability.BlockVolume");
DEFINE_MESSAGE(M_CSIMountVolume, "mesos.v1.Volume.Source.CSIVolume.VolumeCapability.MountVolume",
               F_STRING("fs_type", 1, OPT), F_STRING("mount_flags", 2, REP));
DEFINE_MESSAGE(M_CSIAccessMode, "mesos.v1.Volume.Source.CSIVolume.VolumeCapability.AccessMode",
               F_ENUM("mode", 1, REQ, E_CSIAccessMode));
DEFINE_MESSAGE(M_CSIVolumeCapability, "mesos.v1.Volume.Source.CSIVolume.VolumeCapability",
               F_ONEOF_MSG("access_type", "block", 1, M_CSIBlockVolume),
               F_ONEOF_MSG("access_type", "mount", 2, M_CSIMountVolume),
               F_MSG("access_mode", 3, REQ, M_CSIAccessMode));
DEFINE_MESSAGE(M_CSIStaticProvisioning, "mesos.v1.Volume.Source.CSIVolume.StaticProvisioning",
               F_STRING("volume_id", 1, REQ),
               F_MSG("volume_capability", 2, REQ, M_CSIVolumeCapability),
               F_MAP_MSG("node_stage_secrets", 3, M_Secret),
               F_MAP_MSG("node_publish_secrets", 4, M_Secret), F_MAP_STRING("volume_context", 5));
DEFINE_MESSAGE(M_CSIVolume, "mesos.v1.Volume.Source.CSIVolume", F_STRING("plugin_name", 1, REQ),
               F_MSG("static_provisioning", 2, OPT, M_CSIStaticProvisioning));

DEFINE_MESSAGE(M_VolumeSource, "mesos.v1.Volume.Source", F_ENUM("type", 1, OPT, E_VolumeSourceType),
               F_MSG("docker_volume", 2, OPT, M_VolumeDockerVolume),
               F_MSG("host_path", 5, OPT, M_VolumeHostPath),
               F_MSG("sandbox_path", 3, OPT, M_VolumeSandboxPath),
               F_MSG("secret", 4, OPT, M_Secret), F_MSG("csi_volume", 6, OPT, M_CSIVolume));
DEFINE_MESSAGE(M_Volume, "mesos.v1.Volume", F_ENUM("mode", 3, REQ, E_VolumeMode),
               F_STRING("container_path", 1, REQ), F_STRING("host_path", 2, OPT),
               F_MSG("image", 4, OPT, M_Image), F_MSG("source", 5, OPT, M_VolumeSource));

/* ---------------------------------------------------------------------------------------------- */
/* Resource and its parts. */

DEFINE_MESSAGE(M_AllocationInfo, "mesos.v1.Resource.AllocationInfo", F_STRING("role", 1, OPT));
DEFINE_MESSAGE(M_ReservationInfo, "mesos.v1.Resource.ReservationInfo",
               F_ENUM("type", 4, OPT, E_ReservationType), F_STRING("role", 3, OPT),
               F_STRING("principal", 1, OPT), F_MSG("labels", 2, OPT, M_Labels));
DEFINE_MESSAGE(M_DiskPersistence, "mesos.v1.Resource.DiskInfo.Persistence", F_STRING("id", 1, REQ),
               F_STRING("principal", 2, OPT));
DEFINE_MESSAGE(M_DiskSourcePath, "mesos.v1.Resource.DiskInfo.Source.Path",
               F_STRING("root", 1, OPT));
DEFINE_MESSAGE(M_DiskSourceMount, "mesos.v1.Resource.DiskInfo.Source.Mount",
               F_STRING("root", 1, OPT));
DEFINE_MESSAGE(M_DiskSource, "mesos.v1.Resource.DiskInfo.Source",
               F_ENUM("type", 1, REQ, E_DiskSourceType), F_MSG("path", 2, OPT, M_DiskSourcePath),
               F_MSG("mount", 3, OPT, M_DiskSourceMount), F_STRING("vendor", 7, OPT),
               F_STRING("id", 4, OPT), F_MSG("metadata", 5, OPT, M_Labels),
               F_STRING("profile", 6, OPT));
DEFINE_MESSAGE(M_DiskInfo, "mesos.v1.Resource.DiskInfo",
               F_MSG("persistence", 1, OPT, M_DiskPersistence), F_MSG("volume", 2, OPT, M_Volume),
               F_MSG("source", 3, OPT, M_DiskSource));
DEFINE_EMPTY_MESSAGE(M_RevocableInfo, "mesos.v1.Resource.RevocableInfo");
DEFINE_EMPTY_MESSAGE(M_SharedInfo, "mesos.v1.Resource.SharedInfo");

DEFINE_MESSAGE(M_Resource, "mesos.v1.Resource", F_MSG("provider_id", 12, OPT, M_ResourceProviderID),
               F_STRING("name", 1, REQ), F_ENUM("type", 2, REQ, E_ValueType),
               F_MSG("scalar", 3, OPT, M_ValueScalar), F_MSG("ranges", 4, OPT, M_ValueRanges),
               F_MSG("set", 5, OPT, M_ValueSet), F_STRING("role", 6, OPT),
               F_MSG("allocation_info", 11, OPT, M_AllocationInfo),
               F_MSG("reservation", 8, OPT, M_ReservationInfo),
               F_MSG("reservations", 13, REP, M_ReservationInfo), F_MSG("disk", 7, OPT, M_DiskInfo),
               F_MSG("revocable", 9, OPT, M_RevocableInfo), F_MSG("shared", 10, OPT, M_SharedInfo));

/* ---------------------------------------------------------------------------------------------- */
/* ContainerInfo and its parts. */

DEFINE_MESSAGE(M_NetworkIPAddress, "mesos.v1.NetworkInfo.IPAddress",
               F_ENUM("protocol", 1, OPT, E_NetworkProtocol), F_STRING("ip_address", 2, OPT));
DEFINE_MESSAGE(M_NetworkPortMapping, "mesos.v1.NetworkInfo.PortMapping",
               F_UINT32("host_port", 1, REQ), F_UINT32("container_port", 2, REQ),
               F_STRING("protocol", 3, OPT));
DEFINE_MESSAGE(M_NetworkInfo, "mesos.v1.NetworkInfo",
               F_MSG("ip_addresses", 5, REP, M_NetworkIPAddress), F_STRING("name", 6, OPT),
               F_STRING("groups", 3, REP), F_MSG("labels", 4, OPT, M_Labels),
               F_MSG("port_mappings", 7, REP, M_NetworkPortMapping));

DEFINE_MESSAGE(M_CapabilityInfo, "mesos.v1.CapabilityInfo",
               F_ENUM("capabilities", 1, REP, E_LinuxCapability));
DEFINE_MESSAGE(M_SeccompInfo, "mesos.v1.SeccompInfo", F_STRING("profile_name", 1, OPT),
               F_BOOL("unconfined", 2, OPT));
DEFINE_MESSAGE(M_LinuxInfo, "mesos.v1.LinuxInfo",
               F_MSG("capability_info", 1, OPT, M_CapabilityInfo),
               F_MSG("bounding_capabilities", 2, OPT, M_CapabilityInfo),
               F_MSG("effective_capabilities", 3, OPT, M_CapabilityInfo),
               F_BOOL("share_pid_namespace", 4, OPT), F_MSG("seccomp", 5, OPT, M_SeccompInfo),
               F_ENUM("ipc_mode", 6, OPT, E_IpcMode), F_UINT32("shm_size", 7, OPT),
               F_BOOL("share_cgroups", 8, OPT));

DEFINE_MESSAGE(M_RLimit, "mesos.v1.RLimitInfo.RLimit", F_ENUM("type", 1, OPT, E_RLimitType),
               F_UINT64("hard", 2, OPT), F_UINT64("soft", 3, OPT));
DEFINE_MESSAGE(M_RLimitInfo, "mesos.v1.RLimitInfo", F_MSG("rlimits", 1, REP, M_RLimit));

DEFINE_MESSAGE(M_TTYWindowSize, "mesos.v1.TTYInfo.WindowSize", F_UINT32("rows", 1, REQ),
               F_UINT32("columns", 2, REQ));
DEFINE_MESSAGE(M_TTYInfo, "mesos.v1.TTYInfo", F_MSG("window_size", 1, OPT, M_TTYWindowSize));

DEFINE_MESSAGE(M_DockerPortMapping, "mesos.v1.ContainerInfo.DockerInfo.PortMapping",
               F_UINT32("host_port", 1, REQ), F_UINT32("container_port", 2, REQ),
               F_STRING("protocol", 3, OPT));
DEFINE_MESSAGE(M_DockerInfo, "mesos.v1.ContainerInfo.DockerInfo", F_STRING("image", 1, REQ),
               F_ENUM("network", 2, OPT, E_DockerNetwork),
               F_MSG("port_mappings", 3, REP, M_DockerPortMapping), F_BOOL("privileged", 4, OPT),
               F_MSG("parameters", 5, REP, M_Parameter), F_BOOL("force_pull_image", 6, OPT),
               F_STRING("volume_driver", 7, OPT));
DEFINE_MESSAGE(M_MesosInfo, "mesos.v1.ContainerInfo.MesosInfo", F_MSG("image", 1, OPT, M_Image));

DEFINE_MESSAGE(M_ContainerInfo, "mesos.v1.ContainerInfo", F_ENUM("type", 1, REQ, E_ContainerType),
               F_MSG("volumes", 2, REP, M_Volume), F_STRING("hostname", 4, OPT),
               F_MSG("docker", 3, OPT, M_DockerInfo), F_MSG("mesos", 5, OPT, M_MesosInfo),
               F_MSG("network_infos", 7, REP, M_NetworkInfo),
               F_MSG("linux_info", 8, OPT, M_LinuxInfo), F_MSG("rlimit_info", 9, OPT, M_RLimitInfo),
               F_MSG("tty_info", 10, OPT, M_TTYInfo));

/* ---------------------------------------------------------------------------------------------- */
/* Health checks, checks, kill policy, discovery. */

DEFINE_MESSAGE(M_HTTPCheckInfo, "mesos.v1.HealthCheck.HTTPCheckInfo",
               F_ENUM("protocol", 5, OPT, E_NetworkProtocol), F_STRING("scheme", 3, OPT),
               F_UINT32("port", 1, REQ), F_STRING("path", 2, OPT), F_UINT32("statuses", 4, REP));
DEFINE_MESSAGE(M_TCPCheckInfo, "mesos.v1.HealthCheck.TCPCheckInfo",
               F_ENUM("protocol", 2, OPT, E_NetworkProtocol), F_UINT32("port", 1, REQ));
DEFINE_MESSAGE(M_HealthCheck, "mesos.v1.HealthCheck", F_DOUBLE("delay_seconds", 2, OPT),
               F_DOUBLE("interval_seconds", 3, OPT), F_DOUBLE("timeout_seconds", 4, OPT),
               F_UINT32("consecutive_failures", 5, OPT), F_DOUBLE("grace_period_seconds", 6, OPT),
               F_ENUM("type", 8, OPT, E_HealthCheckType), F_MSG("command", 7, OPT, M_CommandInfo),
               F_MSG("http", 1, OPT, M_HTTPCheckInfo), F_MSG("tcp", 9, OPT, M_TCPCheckInfo));

DEFINE_MESSAGE(M_CheckCommand, "mesos.v1.CheckInfo.Command",
               F_MSG("command", 1, REQ, M_CommandInfo));
DEFINE_MESSAGE(M_CheckHttp, "mesos.v1.CheckInfo.Http", F_UINT32("port", 1, REQ),
               F_STRING("path", 2, OPT));
DEFINE_MESSAGE(M_CheckTcp, "mesos.v1.CheckInfo.Tcp", F_UINT32("port", 1, REQ));
DEFINE_MESSAGE(M_CheckInfo, "mesos.v1.CheckInfo", F_ENUM("type", 1, OPT, E_CheckType),
               F_MSG("command", 2, OPT, M_CheckCommand), F_MSG("http", 3, OPT, M_CheckHttp),
               F_MSG("tcp", 7, OPT, M_CheckTcp), F_DOUBLE("delay_seconds", 4, OPT),
               F_DOUBLE("interval_seconds", 5, OPT), F_DOUBLE("timeout_seconds", 6, OPT));

DEFINE_MESSAGE(M_KillPolicy, "mesos.v1.KillPolicy", F_MSG("grace_period", 1, OPT, M_DurationInfo));

DEFINE_MESSAGE(M_Port, "mesos.v1.Port", F_UINT32("number", 1, REQ), F_STRING("name", 2, OPT),
               F_STRING("protocol", 3, OPT), F_ENUM("visibility", 4, OPT, E_DiscoveryVisibility),
               F_MSG("labels", 5, OPT, M_Labels));
DEFINE_MESSAGE(M_Ports, "mesos.v1.Ports", F_MSG("ports", 1, REP, M_Port));
DEFINE_MESSAGE(M_DiscoveryInfo, "mesos.v1.DiscoveryInfo",
               F_ENUM("visibility", 1, REQ, E_DiscoveryVisibility), F_STRING("name", 2, OPT),
               F_STRING("environment", 3, OPT), F_STRING("location", 4, OPT),
               F_STRING("version", 5, OPT), F_MSG("ports", 6, OPT, M_Ports),
               F_MSG("labels", 7, OPT, M_Labels));

/* ---------------------------------------------------------------------------------------------- */
/* Executors, tasks, offer operations. */

DEFINE_MESSAGE(M_ExecutorInfo, "mesos.v1.ExecutorInfo", F_ENUM("type", 15, OPT, E_ExecutorType),
               F_MSG("executor_id", 1, REQ, M_ExecutorID),
               F_MSG("framework_id", 8, OPT, M_FrameworkID),
               F_MSG("command", 7, OPT, M_CommandInfo),
               F_MSG("container", 11, OPT, M_ContainerInfo), F_MSG("resources", 5, REP, M_Resource),
               F_STRING("name", 9, OPT), F_STRING("source", 10, OPT), F_BYTES("data", 4, OPT),
               F_MSG("discovery", 12, OPT, M_DiscoveryInfo),
               F_MSG("shutdown_grace_period", 13, OPT, M_DurationInfo),
               F_MSG("labels", 14, OPT, M_Labels));

DEFINE_MESSAGE(M_TaskInfo, "mesos.v1.TaskInfo", F_STRING("name", 1, REQ),
               F_MSG("task_id", 2, REQ, M_TaskID), F_MSG("agent_id", 3, REQ, M_AgentID),
               F_MSG("resources", 4, REP, M_Resource), F_MSG("executor", 5, OPT, M_ExecutorInfo),
               F_MSG("command", 7, OPT, M_CommandInfo), F_MSG("container", 9, OPT, M_ContainerInfo),
               F_MSG("health_check", 8, OPT, M_HealthCheck), F_MSG("check", 13, OPT, M_CheckInfo),
               F_MSG("kill_policy", 12, OPT, M_KillPolicy), F_BYTES("data", 6, OPT),
               F_MSG("labels", 10, OPT, M_Labels), F_MSG("discovery", 11, OPT, M_DiscoveryInfo),
               F_MSG("max_completion_time", 14, OPT, M_DurationInfo),
               F_MAP_MSG("limits", 15, M_ValueScalar));
DEFINE_MESSAGE(M_TaskGroupInfo, "mesos.v1.TaskGroupInfo", F_MSG("tasks", 1, REP, M_TaskInfo));

DEFINE_MESSAGE(M_OpLaunch, "mesos.v1.Offer.Operation.Launch",
               F_MSG("task_infos", 1, REP, M_TaskInfo));
DEFINE_MESSAGE(M_OpLaunchGroup, "mesos.v1.Offer.Operation.LaunchGroup",
               F_MSG("executor", 1, REQ, M_ExecutorInfo),
               F_MSG("task_group", 2, REQ, M_TaskGroupInfo));
DEFINE_MESSAGE(M_OpReserve, "mesos.v1.Offer.Operation.Reserve", F_MSG("source", 2, REP, M_Resource),
               F_MSG("resources", 1, REP, M_Resource));
DEFINE_MESSAGE(M_OpUnreserve, "mesos.v1.Offer.Operation.Unreserve",
               F_MSG("resources", 1, REP, M_Resource));
DEFINE_MESSAGE(M_OpCreate, "mesos.v1.Offer.Operation.Create", F_MSG("volumes", 1, REP, M_Resource));
DEFINE_MESSAGE(M_OpDestroy, "mesos.v1.Offer.Operation.Destroy",
               F_MSG("volumes", 1, REP, M_Resource));
DEFINE_MESSAGE(M_OpGrowVolume, "mesos.v1.Offer.Operation.GrowVolume",
               F_MSG("volume", 1, REQ, M_Resource), F_MSG("addition", 2, REQ, M_Resource));
DEFINE_MESSAGE(M_OpShrinkVolume, "mesos.v1.Offer.Operation.ShrinkVolume",
               F_MSG("volume", 1, REQ, M_Resource), F_MSG("subtract", 2, REQ, M_ValueScalar));
DEFINE_MESSAGE(M_OpCreateDisk, "mesos.v1.Offer.Operation.CreateDisk",
               F_MSG("source", 1, REQ, M_Resource), F_ENUM("target_type", 2, REQ, E_DiskSourceType),
               F_STRING("target_profile", 3, OPT));
DEFINE_MESSAGE(M_OpDestroyDisk, "mesos.v1.Offer.Operation.DestroyDisk",
               F_MSG("source", 1, REQ, M_Resource));
DEFINE_MESSAGE(M_OfferOperation, "mesos.v1.Offer.Operation",
               F_ENUM("type", 1, OPT, E_OperationType), F_MSG("id", 12, OPT, M_OperationID),
               F_MSG("launch", 2, OPT, M_OpLaunch), F_MSG("launch_group", 7, OPT, M_OpLaunchGroup),
               F_MSG("reserve", 3, OPT, M_OpReserve), F_MSG("unreserve", 4, OPT, M_OpUnreserve),
               F_MSG("create", 5, OPT, M_OpCreate), F_MSG("destroy", 6, OPT, M_OpDestroy),
               F_MSG("grow_volume", 13, OPT, M_OpGrowVolume),
               F_MSG("shrink_volume", 14, OPT, M_OpShrinkVolume),
               F_MSG("create_disk", 15, OPT, M_OpCreateDisk),
               F_MSG("destroy_disk", 16, OPT, M_OpDestroyDisk));

DEFINE_MESSAGE(M_Request, "mesos.v1.Request", F_MSG("agent_id", 1, OPT, M_AgentID),
               F_MSG("resources", 2, REP, M_Resource));

/* ---------------------------------------------------------------------------------------------- */
/* FrameworkInfo and offer constraints (scheduler.proto). */

DEFINE_MESSAGE(M_ResourceQuantities, "mesos.v1.OfferFilters.ResourceQuantities",
               F_MAP_MSG("quantities", 1, M_ValueScalar));
DEFINE_MESSAGE(M_MinAllocatableResources, "mesos.v1.OfferFilters.MinAllocatableResources",
               F_MSG("quantities", 1, REP, M_ResourceQuantities));
DEFINE_MESSAGE(M_OfferFilters, "mesos.v1.OfferFilters",
               F_MSG("min_allocatable_resources", 1, OPT, M_MinAllocatableResources));

DEFINE_MESSAGE(M_FrameworkCapability, "mesos.v1.FrameworkInfo.Capability",
               F_ENUM("type", 1, OPT, E_FrameworkCapabilityType));
DEFINE_MESSAGE(M_FrameworkInfo, "mesos.v1.FrameworkInfo", F_STRING("user", 1, REQ),
               F_STRING("name", 2, REQ), F_MSG("id", 3, OPT, M_FrameworkID),
               F_DOUBLE("failover_timeout", 4, OPT), F_BOOL("checkpoint", 5, OPT),
               F_STRING("role", 6, OPT), F_STRING("roles", 12, REP), F_STRING("hostname", 7, OPT),
               F_STRING("principal", 8, OPT), F_STRING("webui_url", 9, OPT),
               F_MSG("capabilities", 10, REP, M_FrameworkCapability),
               F_MSG("labels", 11, OPT, M_Labels), F_MAP_MSG("offer_filters", 13, M_OfferFilters));

DEFINE_MESSAGE(M_ConstraintSelector, "mesos.v1.scheduler.AttributeConstraint.Selector",
               F_ONEOF_ENUM("selector", "pseudoattribute_type", 1, E_PseudoattributeType),
               F_ONEOF_STRING("selector", "attribute_name", 2));
DEFINE_EMPTY_MESSAGE(M_PredicateExists, "mesos.v1.scheduler.AttributeConstraint.Predicate.Exists");
DEFINE_EMPTY_MESSAGE(M_PredicateNotExists,
                     "mesos.v1.scheduler.AttributeConstraint.Predicate.NotExists");
DEFINE_MESSAGE(M_PredicateTextEquals, "mesos.v1.scheduler.AttributeConstraint.Predicate.TextEquals",
               F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_PredicateTextNotEquals,
               "mesos.v1.scheduler.AttributeConstraint.Predicate.TextNotEquals",
               F_STRING("value", 1, REQ));
DEFINE_MESSAGE(M_PredicateTextMatches,
               "mesos.v1.scheduler.AttributeConstraint.Predicate.TextMatches",
               F_STRING("regex", 1, REQ));
DEFINE_MESSAGE(M_PredicateTextNotMatches,
               "mesos.v1.scheduler.AttributeConstraint.Predicate.TextNotMatches",
               F_STRING("regex", 1, REQ));
DEFINE_MESSAGE(M_ConstraintPredicate, "mesos.v1.scheduler.AttributeConstraint.Predicate",
               F_ONEOF_MSG("predicate", "exists", 1, M_PredicateExists),
               F_ONEOF_MSG("predicate", "not_exists", 2, M_PredicateNotExists),
               F_ONEOF_MSG("predicate", "text_equals", 3, M_PredicateTextEquals),
               F_ONEOF_MSG("predicate", "text_not_equals", 4, M_PredicateTextNotEquals),
               F_ONEOF_MSG("predicate", "text_matches", 5, M_PredicateTextMatches),
               F_ONEOF_MSG("predicate", "text_not_matches", 6, M_PredicateTextNotMatches));
DEFINE_MESSAGE(M_AttributeConstraint, "mesos.v1.scheduler.AttributeConstraint",
               F_MSG("selector", 1, REQ, M_ConstraintSelector),
               F_MSG("predicate", 2, REQ, M_ConstraintPredicate));
DEFINE_MESSAGE(M_RoleConstraintsGroup, "mesos.v1.scheduler.OfferConstraints.RoleConstraints.Group",
               F_MSG("attribute_constraints", 1, REP, M_AttributeConstraint));
DEFINE_MESSAGE(M_RoleConstraints, "mesos.v1.scheduler.OfferConstraints.RoleConstraints",
               F_MSG("groups", 1, REP, M_RoleConstraintsGroup));
DEFINE_MESSAGE(M_OfferConstraints, "mesos.v1.scheduler.OfferConstraints",
               F_MAP_MSG("role_constraints", 1, M_RoleConstraints));

/* ---------------------------------------------------------------------------------------------- */
/* Call and its sub-messages. */

DEFINE_MESSAGE(M_CallSubscribe, "mesos.v1.scheduler.Call.Subscribe",
               F_MSG("framework_info", 1, REQ, M_FrameworkInfo),
               F_STRING("suppressed_roles", 2, REP),
               F_MSG("offer_constraints", 3, OPT, M_OfferConstraints));
DEFINE_MESSAGE(M_CallAccept, "mesos.v1.scheduler.Call.Accept",
               F_MSG("offer_ids", 1, REP, M_OfferID), F_MSG("operations", 2, REP, M_OfferOperation),
               F_MSG("filters", 3, OPT, M_Filters));
DEFINE_MESSAGE(M_CallDecline, "mesos.v1.scheduler.Call.Decline",
               F_MSG("offer_ids", 1, REP, M_OfferID), F_MSG("filters", 2, OPT, M_Filters));
DEFINE_MESSAGE(M_CallAcceptInverseOffers, "mesos.v1.scheduler.Call.AcceptInverseOffers",
               F_MSG("inverse_offer_ids", 1, REP, M_OfferID), F_MSG("filters", 2, OPT, M_Filters));
DEFINE_MESSAGE(M_CallDeclineInverseOffers, "mesos.v1.scheduler.Call.DeclineInverseOffers",
               F_MSG("inverse_offer_ids", 1, REP, M_OfferID), F_MSG("filters", 2, OPT, M_Filters));
DEFINE_MESSAGE(M_CallRevive, "mesos.v1.scheduler.Call.Revive", F_STRING("roles", 1, REP));
DEFINE_MESSAGE(M_CallKill, "mesos.v1.scheduler.Call.Kill", F_MSG("task_id", 1, REQ, M_TaskID),
               F_MSG("agent_id", 2, OPT, M_AgentID), F_MSG("kill_policy", 3, OPT, M_KillPolicy));
DEFINE_MESSAGE(M_CallShutdown, "mesos.v1.scheduler.Call.Shutdown",
               F_MSG("executor_id", 1, REQ, M_ExecutorID), F_MSG("agent_id", 2, REQ, M_AgentID));
DEFINE_MESSAGE(M_CallAcknowledge, "mesos.v1.scheduler.Call.Acknowledge",
               F_MSG("agent_id", 1, REQ, M_AgentID), F_MSG("task_id", 2, REQ, M_TaskID),
               F_BYTES("uuid", 3, REQ));
DEFINE_MESSAGE(M_CallAcknowledgeOperationStatus,
               "mesos.v1.scheduler.Call.AcknowledgeOperationStatus",
               F_MSG("agent_id", 1, OPT, M_AgentID),
               F_MSG("resource_provider_id", 2, OPT, M_ResourceProviderID), F_BYTES("uuid", 3, REQ),
               F_MSG("operation_id", 4, REQ, M_OperationID));
DEFINE_MESSAGE(M_CallReconcileTask, "mesos.v1.scheduler.Call.Reconcile.Task",
               F_MSG("task_id", 1, REQ, M_TaskID), F_MSG("agent_id", 2, OPT, M_AgentID));
DEFINE_MESSAGE(M_CallReconcile, "mesos.v1.scheduler.Call.Reconcile",
               F_MSG("tasks", 1, REP, M_CallReconcileTask));
DEFINE_MESSAGE(M_CallReconcileOperation, "mesos.v1.scheduler.Call.ReconcileOperations.Operation",
               F_MSG("operation_id", 1, REQ, M_OperationID), F_MSG("agent_id", 2, OPT, M_AgentID),
               F_MSG("resource_provider_id", 3, OPT, M_ResourceProviderID));
DEFINE_MESSAGE(M_CallReconcileOperations, "mesos.v1.scheduler.Call.ReconcileOperations",
               F_MSG("operations", 1, REP, M_CallReconcileOperation));
DEFINE_MESSAGE(M_CallMessage, "mesos.v1.scheduler.Call.Message",
               F_MSG("agent_id", 1, REQ, M_AgentID), F_MSG("executor_id", 2, REQ, M_ExecutorID),
               F_BYTES("data", 3, REQ));
DEFINE_MESSAGE(M_CallRequest, "mesos.v1.scheduler.Call.Request",
               F_MSG("requests", 1, REP, M_Request));
DEFINE_MESSAGE(M_CallSuppress, "mesos.v1.scheduler.Call.Suppress", F_STRING("roles", 1, REP));
DEFINE_MESSAGE(M_CallUpdateFramework, "mesos.v1.scheduler.Call.UpdateFramework",
               F_MSG("framework_info", 1, REQ, M_FrameworkInfo),
               F_STRING("suppressed_roles", 2, REP),
               F_MSG("offer_constraints", 3, OPT, M_OfferConstraints));

static const schema_field M_Call_fields[] = {
    F_MSG("framework_id", 1, OPT, M_FrameworkID),
    F_ENUM("type", 2, OPT, E_CallType),
    F_MSG("subscribe", 3, OPT, M_CallSubscribe),
    F_MSG("accept", 4, OPT, M_CallAccept),
    F_MSG("decline", 5, OPT, M_CallDecline),
    F_MSG("accept_inverse_offers", 13, OPT, M_CallAcceptInverseOffers),
    F_MSG("decline_inverse_offers", 14, OPT, M_CallDeclineInverseOffers),
    F_MSG("revive", 15, OPT, M_CallRevive),
    F_MSG("kill", 6, OPT, M_CallKill),
    F_MSG("shutdown", 7, OPT, M_CallShutdown),
    F_MSG("acknowledge", 8, OPT, M_CallAcknowledge),
    F_MSG("acknowledge_operation_status", 17, OPT, M_CallAcknowledgeOperationStatus),
    F_MSG("reconcile", 9, OPT, M_CallReconcile),
    F_MSG("reconcile_operations", 18, OPT, M_CallReconcileOperations),
    F_MSG("message", 10, OPT, M_CallMessage),
    F_MSG("request", 11, OPT, M_CallRequest),
    F_MSG("suppress", 16, OPT, M_CallSuppress),
    F_MSG("update_framework", 19, OPT, M_CallUpdateFramework),
};
const schema_message schema_call = {"mesos.v1.scheduler.Call", M_Call_fields,
                                    MK_ARRAY_LEN(M_Call_fields)};

/* ---------------------------------------------------------------------------------------------- */

const schema_message *const schema_all_messages[] = {
    &M_FrameworkID,
    &M_OfferID,
    &M_AgentID,
    &M_TaskID,
    &M_ExecutorID,
    &M_ResourceProviderID,
    &M_OperationID,
    &M_DurationInfo,
    &M_Label,
    &M_Labels,
    &M_Parameter,
    &M_Parameters,
    &M_Credential,
    &M_ValueScalar,
    &M_ValueRange,
    &M_ValueRanges,
    &M_ValueSet,
    &M_Filters,
    &M_SecretReference,
    &M_SecretValue,
    &M_Secret,
    &M_EnvironmentVariable,
    &M_Environment,
    &M_CommandInfoURI,
    &M_CommandInfo,
    &M_ImageAppc,
    &M_ImageDocker,
    &M_Image,
    &M_MountPropagation,
    &M_VolumeDockerVolume,
    &M_VolumeHostPath,
    &M_VolumeSandboxPath,
    &M_CSIBlockVolume,
    &M_CSIMountVolume,
    &M_CSIAccessMode,
    &M_CSIVolumeCapability,
    &M_CSIStaticProvisioning,
    &M_CSIVolume,
    &M_VolumeSource,
    &M_Volume,
    &M_AllocationInfo,
    &M_ReservationInfo,
    &M_DiskPersistence,
    &M_DiskSourcePath,
    &M_DiskSourceMount,
    &M_DiskSource,
    &M_DiskInfo,
    &M_RevocableInfo,
    &M_SharedInfo,
    &M_Resource,
    &M_NetworkIPAddress,
    &M_NetworkPortMapping,
    &M_NetworkInfo,
    &M_CapabilityInfo,
    &M_SeccompInfo,
    &M_LinuxInfo,
    &M_RLimit,
    &M_RLimitInfo,
    &M_TTYWindowSize,
    &M_TTYInfo,
    &M_DockerPortMapping,
    &M_DockerInfo,
    &M_MesosInfo,
    &M_ContainerInfo,
    &M_HTTPCheckInfo,
    &M_TCPCheckInfo,
    &M_HealthCheck,
    &M_CheckCommand,
    &M_CheckHttp,
    &M_CheckTcp,
    &M_CheckInfo,
    &M_KillPolicy,
    &M_Port,
    &M_Ports,
    &M_DiscoveryInfo,
    &M_ExecutorInfo,
    &M_TaskInfo,
    &M_TaskGroupInfo,
    &M_OpLaunch,
    &M_OpLaunchGroup,
    &M_OpReserve,
    &M_OpUnreserve,
    &M_OpCreate,
    &M_OpDestroy,
    &M_OpGrowVolume,
    &M_OpShrinkVolume,
    &M_OpCreateDisk,
    &M_OpDestroyDisk,
    &M_OfferOperation,
    &M_Request,
    &M_ResourceQuantities,
    &M_MinAllocatableResources,
    &M_OfferFilters,
    &M_FrameworkCapability,
    &M_FrameworkInfo,
    &M_ConstraintSelector,
    &M_PredicateExists,
    &M_PredicateNotExists,
    &M_PredicateTextEquals,
    &M_PredicateTextNotEquals,
    &M_PredicateTextMatches,
    &M_PredicateTextNotMatches,
    &M_ConstraintPredicate,
    &M_AttributeConstraint,
    &M_RoleConstraintsGroup,
    &M_RoleConstraints,
    &M_OfferConstraints,
    &M_CallSubscribe,
    &M_CallAccept,
    &M_CallDecline,
    &M_CallAcceptInverseOffers,
    &M_CallDeclineInverseOffers,
    &M_CallRevive,
    &M_CallKill,
    &M_CallShutdown,
    &M_CallAcknowledge,
    &M_CallAcknowledgeOperationStatus,
    &M_CallReconcileTask,
    &M_CallReconcile,
    &M_CallReconcileOperation,
    &M_CallReconcileOperations,
    &M_CallMessage,
    &M_CallRequest,
    &M_CallSuppress,
    &M_CallUpdateFramework,
    &schema_call,
};
const size_t schema_n_all_messages = MK_ARRAY_LEN(schema_all_messages);

const schema_enum *const schema_all_enums[] = {
    &E_CallType,
    &E_PseudoattributeType,
    &E_FrameworkCapabilityType,
    &E_OperationType,
    &E_ValueType,
    &E_ReservationType,
    &E_DiskSourceType,
    &E_ExecutorType,
    &E_VariableType,
    &E_SecretType,
    &E_ImageType,
    &E_MountPropagationMode,
    &E_VolumeMode,
    &E_VolumeSourceType,
    &E_SandboxPathType,
    &E_CSIAccessMode,
    &E_NetworkProtocol,
    &E_LinuxCapability,
    &E_IpcMode,
    &E_RLimitType,
    &E_ContainerType,
    &E_DockerNetwork,
    &E_HealthCheckType,
    &E_CheckType,
    &E_DiscoveryVisibility,
};
const size_t schema_n_all_enums = MK_ARRAY_LEN(schema_all_enums);
