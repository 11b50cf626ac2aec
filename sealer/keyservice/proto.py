"""sops' key service messages (keyservice/keyservice.proto), built from a descriptor.

The descriptor below says what sops' .proto file says (proto3, no package,
service `KeyService` with `Encrypt` and `Decrypt`); protobuf's public
descriptor and message-factory APIs turn it into message classes, so there
is no generated code to keep in step. Field numbers and names are the wire
contract: they must match sops' file exactly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

SERVICE = "KeyService"
ENCRYPT = f"/{SERVICE}/Encrypt"
DECRYPT = f"/{SERVICE}/Decrypt"

_STRING, _BYTES, _MESSAGE = 9, 12, 11  # FieldDescriptorProto.Type values
_OPTIONAL, _REPEATED = 1, 3  # FieldDescriptorProto.Label values

# message -> [(field, number, type, message type or None)]
_MESSAGES: dict[str, list[tuple[str, int, int, str | None]]] = {
    "PgpKey": [("fingerprint", 1, _STRING, None)],
    "KmsKey": [
        ("arn", 1, _STRING, None),
        ("role", 2, _STRING, None),
        ("context", 3, _MESSAGE, "KmsKey.ContextEntry"),  # map<string, string>
        ("aws_profile", 4, _STRING, None),
    ],
    "GcpKmsKey": [("resource_id", 1, _STRING, None)],
    "VaultKey": [
        ("vault_address", 1, _STRING, None),
        ("engine_path", 2, _STRING, None),
        ("key_name", 3, _STRING, None),
    ],
    "AzureKeyVaultKey": [
        ("vault_url", 1, _STRING, None),
        ("name", 2, _STRING, None),
        ("version", 3, _STRING, None),
    ],
    "AgeKey": [("recipient", 1, _STRING, None)],
    "HckmsKey": [("key_id", 1, _STRING, None)],
    "EncryptRequest": [("key", 1, _MESSAGE, "Key"), ("plaintext", 2, _BYTES, None)],
    "EncryptResponse": [("ciphertext", 1, _BYTES, None)],
    "DecryptRequest": [("key", 1, _MESSAGE, "Key"), ("ciphertext", 2, _BYTES, None)],
    "DecryptResponse": [("plaintext", 1, _BYTES, None)],
}
# Key's `oneof key_type`, in sops' field order
KEY_TYPES = [
    ("kms_key", 1, "KmsKey"),
    ("pgp_key", 2, "PgpKey"),
    ("gcp_kms_key", 3, "GcpKmsKey"),
    ("azure_keyvault_key", 4, "AzureKeyVaultKey"),
    ("vault_key", 5, "VaultKey"),
    ("age_key", 6, "AgeKey"),
    ("hckms_key", 7, "HckmsKey"),
]


def _file() -> Any:
    from google.protobuf import descriptor_pb2

    f = descriptor_pb2.FileDescriptorProto(name="sealer/keyservice.proto", syntax="proto3")
    for name, fields in _MESSAGES.items():
        m = f.message_type.add(name=name)
        for field, number, kind, type_name in fields:
            label = _REPEATED if type_name == "KmsKey.ContextEntry" else _OPTIONAL
            m.field.add(name=field, number=number, type=kind, label=label,
                        type_name=f".{type_name}" if type_name else None)  # fmt: skip
        if name == "KmsKey":
            entry = m.nested_type.add(name="ContextEntry")
            entry.options.map_entry = True
            entry.field.add(name="key", number=1, type=_STRING, label=_OPTIONAL)
            entry.field.add(name="value", number=2, type=_STRING, label=_OPTIONAL)
    key = f.message_type.add(name="Key")
    key.oneof_decl.add(name="key_type")
    for field, number, type_name in KEY_TYPES:
        key.field.add(name=field, number=number, type=_MESSAGE, label=_OPTIONAL,
                      type_name=f".{type_name}", oneof_index=0)  # fmt: skip
    service = f.service.add(name=SERVICE)
    for method in ("Encrypt", "Decrypt"):
        service.method.add(name=method, input_type=f".{method}Request",
                           output_type=f".{method}Response")  # fmt: skip
    return f


@cache
def messages() -> dict[str, Any]:
    """Message classes by name: `messages()["DecryptRequest"](key=…, ciphertext=…)`."""
    from google.protobuf import descriptor_pool, message_factory

    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file())
    names = [*_MESSAGES, "Key"]
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(n)) for n in names}
