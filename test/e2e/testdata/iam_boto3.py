"""Drives IAM with boto3 for iam_test.go: users, groups, managed and
inline policies, roles, instance profiles, access keys that sign
requests, login profiles, virtual MFA devices, the account's settings,
the credential report and CloudTrail's hiding of secrets. It asserts as
it goes and exits non-zero at the first difference. The environment
points boto3 at Vigil with the root's credentials.

Usage: iam_boto3.py ACCOUNT_ID
"""
import base64
import csv
import hashlib
import hmac
import io
import json
import os
import struct
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

ACCOUNT = sys.argv[1]
CONFIG = botocore.config.Config(retries={"max_attempts": 1})
iam = boto3.client("iam", config=CONFIG)

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def fails(code, fn, message=None, **kwargs):
    """Calls fn and checks that it fails with the error code (and message)."""
    try:
        fn(**kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]
        assert got["Code"] == code, f"{fn.__name__}{kwargs}: {got}; want {code}"
        assert message is None or got["Message"] == message, f"{fn.__name__}: message {got['Message']!r}; want {message!r}"
        return
    raise AssertionError(f"{fn.__name__}{kwargs} succeeded; want {code}")


def users_and_groups():
    u = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "obs"}])["User"]
    assert u["UserId"].startswith("AIDA") and len(u["UserId"]) == 21, u
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice", u
    assert u["Tags"] == [{"Key": "team", "Value": "obs"}], u
    fails("EntityAlreadyExists", iam.create_user, "User with name ALICE already exists.", UserName="ALICE")
    fails("NoSuchEntity", iam.get_user, "The user with name nobody cannot be found.", UserName="nobody")
    me = iam.get_user()["User"]
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and me["UserId"] == ACCOUNT, me
    for name in ("bob", "carol"):
        iam.create_user(UserName=name)
    first = iam.list_users(MaxItems=2)
    assert first["IsTruncated"] and [u["UserName"] for u in first["Users"]] == ["alice", "bob"], first
    rest = iam.list_users(Marker=first["Marker"])
    assert not rest["IsTruncated"] and [u["UserName"] for u in rest["Users"]] == ["carol"], rest
    paged = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1}) for u in p["Users"]]
    assert paged == ["alice", "bob", "carol"], paged
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/eng/")["Users"]] == ["alice"]
    iam.update_user(UserName="carol", NewUserName="carla")
    iam.delete_user(UserName="carla")

    g = iam.create_group(GroupName="admins")["Group"]
    assert g["GroupId"].startswith("AGPA"), g
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="bob")
    got = iam.get_group(GroupName="admins")
    assert [u["UserName"] for u in got["Users"]] == ["alice", "bob"], got
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["admins"]
    fails("DeleteConflict", iam.delete_group, "Cannot delete entity, must remove users from group first.", GroupName="admins")
    iam.remove_user_from_group(GroupName="admins", UserName="bob")


def managed_policies():
    p = iam.create_policy(PolicyName="logs-read", PolicyDocument=json.dumps(POLICY), Description="reads logs")["Policy"]
    arn = p["Arn"]
    assert p["PolicyId"].startswith("ANPA") and p["DefaultVersionId"] == "v1" and arn == f"arn:aws:iam::{ACCOUNT}:policy/logs-read", p
    fails("EntityAlreadyExists", iam.create_policy, PolicyName="logs-read", PolicyDocument=json.dumps(POLICY))
    fails("MalformedPolicyDocument", iam.create_policy, "Policy statement must contain resources.",
          PolicyName="bad", PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}')
    v = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert v["Document"] == POLICY and v["IsDefaultVersion"], v  # botocore decodes the URL-encoded document
    for i in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY), SetAsDefault=(i == 3))
    fails("LimitExceeded", iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v1", False), ("v2", False), ("v3", False), ("v4", False), ("v5", True)], versions
    fails("DeleteConflict", iam.delete_policy_version, PolicyArn=arn, VersionId="v5")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    for vid in ("v1", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=vid)

    ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert iam.get_policy(PolicyArn=ro)["Policy"]["PolicyName"] == "ReadOnlyAccess"
    doc = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess", VersionId="v1")["PolicyVersion"]["Document"]
    assert doc["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}], doc
    iam.attach_user_policy(UserName="alice", PolicyArn=ro)
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_group_policy(GroupName="admins", PolicyArn=arn)
    fails("NoSuchEntity", iam.attach_user_policy, "Policy arn:aws:iam::aws:policy/NoSuch does not exist or is not attachable.",
          UserName="alice", PolicyArn="arn:aws:iam::aws:policy/NoSuch")
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["logs-read", "ReadOnlyAccess"], attached
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == ["admins"] and [u["UserName"] for u in ents["PolicyUsers"]] == ["alice"], ents
    local = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in local] == ["logs-read"], local
    aws = [p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    assert "CloudWatchAgentServerPolicy" in aws and "AmazonSQSFullAccess" in aws, aws
    fails("DeleteConflict", iam.delete_policy, "Cannot delete a policy attached to entities.", PolicyArn=arn)

    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(POLICY))
    got = iam.get_user_policy(UserName="alice", PolicyName="inline")
    assert got["PolicyDocument"] == POLICY, got
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["inline"]
    fails("NoSuchEntity", iam.get_user_policy, "The user policy with name none cannot be found.", UserName="alice", PolicyName="none")
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=ro)
    assert iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == ro
    return arn


def access_keys():
    k = iam.create_access_key(UserName="alice")["AccessKey"]
    assert k["AccessKeyId"].startswith("AKIA") and len(k["SecretAccessKey"]) == 40 and k["Status"] == "Active", k
    session = boto3.session.Session(aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])
    sts = session.client("sts", config=CONFIG)
    who = sts.get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice" and who["UserId"].startswith("AIDA"), who
    alice = session.client("iam", config=CONFIG)
    assert alice.get_user()["User"]["UserName"] == "alice"
    # Policies are evaluated on every call: without one that allows it,
    # alice may not give herself a key (the resource is her ARN, path
    # included); with one, she may.
    fails("AccessDenied", alice.create_access_key,
          f"User: arn:aws:iam::{ACCOUNT}:user/eng/alice is not authorized to perform: iam:CreateAccessKey on resource: "
          f"arn:aws:iam::{ACCOUNT}:user/eng/alice because no identity-based policy allows the iam:CreateAccessKey action")
    iam.put_user_policy(UserName="alice", PolicyName="own-keys", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/eng/${aws:username}"}]}))
    # Her permissions boundary (ReadOnlyAccess) still limits her.
    fails("AccessDenied", alice.create_access_key,
          f"User: arn:aws:iam::{ACCOUNT}:user/eng/alice is not authorized to perform: iam:CreateAccessKey on resource: "
          f"arn:aws:iam::{ACCOUNT}:user/eng/alice because no permissions boundary allows the iam:CreateAccessKey action")
    boundary = iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    iam.delete_user_permissions_boundary(UserName="alice")
    second = alice.create_access_key()["AccessKey"]  # for the caller
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=boundary)
    iam.delete_user_policy(UserName="alice", PolicyName="own-keys")
    fails("LimitExceeded", iam.create_access_key, "Cannot exceed quota for AccessKeysPerUser: 2", UserName="alice")
    ids = sorted(m["AccessKeyId"] for m in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"])
    assert ids == sorted([k["AccessKeyId"], second["AccessKeyId"]]), ids
    iam.update_access_key(UserName="alice", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    fails("InvalidClientTokenId", sts.get_caller_identity)
    iam.update_access_key(UserName="alice", AccessKeyId=k["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(":user/eng/alice")
    last = iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])
    assert last["UserName"] == "alice" and "ServiceName" in last["AccessKeyLastUsed"], last
    fails("DeleteConflict", iam.delete_user, "Cannot delete entity, must delete access keys first.", UserName="alice")
    for key in (k, second):
        iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    fails("InvalidClientTokenId", sts.get_caller_identity)
    fails("NoSuchEntity", iam.delete_access_key, f"The Access Key with id {k['AccessKeyId']} cannot be found.",
          UserName="alice", AccessKeyId=k["AccessKeyId"])


def roles():
    r = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), Description="the app", MaxSessionDuration=7200)["Role"]
    assert r["RoleId"].startswith("AROA") and r["MaxSessionDuration"] == 7200, r
    got = iam.get_role(RoleName="app")["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST and got["Description"] == "the app", got
    fails("MalformedPolicyDocument", iam.create_role, RoleName="bad",
          AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}')
    unchecked = boto3.client("iam", config=botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False))
    fails("ValidationError", unchecked.create_role, RoleName="short", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=600)
    iam.update_role(RoleName="app", MaxSessionDuration=3600)
    iam.update_role_description(RoleName="app", Description="renamed")
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(TRUST))
    assert iam.get_role(RoleName="app")["Role"]["Description"] == "renamed"
    ip = iam.create_instance_profile(InstanceProfileName="app-profile")["InstanceProfile"]
    assert ip["InstanceProfileId"].startswith("AIPA"), ip
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    fails("LimitExceeded", iam.add_role_to_instance_profile, InstanceProfileName="app-profile", RoleName="app")
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName="app")["InstanceProfiles"]] == ["app-profile"]
    fails("DeleteConflict", iam.delete_role, "Cannot delete entity, must remove roles from instance profile first.", RoleName="app")
    iam.remove_role_from_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    iam.delete_instance_profile(InstanceProfileName="app-profile")
    iam.delete_role(RoleName="app")
    slr = iam.create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com")["Role"]
    assert slr["RoleName"] == "AWSServiceRoleForCloudTrail" and slr["Path"] == "/aws-service-role/cloudtrail.amazonaws.com/", slr
    fails("UnmodifiableEntity", iam.delete_role, RoleName="AWSServiceRoleForCloudTrail")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForCloudTrail")["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


def totp(seed, step):
    key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def passwords_and_mfa():
    fails("PasswordPolicyViolation", iam.create_login_profile, "Password does not conform to the account password policy.",
          UserName="alice", Password="short")
    lp = iam.create_login_profile(UserName="alice", Password="Correct-Horse-9", PasswordResetRequired=True)["LoginProfile"]
    assert lp["UserName"] == "alice" and lp["PasswordResetRequired"], lp
    fails("EntityAlreadyExists", iam.create_login_profile, UserName="alice", Password="Correct-Horse-9")
    fails("NoSuchEntity", iam.get_login_profile, "Login Profile for User bob cannot be found.", UserName="bob")
    fails("NoSuchEntity", iam.get_account_password_policy, f"The Password Policy with domain name {ACCOUNT} cannot be found.")
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True, MaxPasswordAge=90)
    pp = iam.get_account_password_policy()["PasswordPolicy"]
    assert pp["MinimumPasswordLength"] == 20 and pp["ExpirePasswords"] and pp["MaxPasswordAge"] == 90 and not pp["RequireNumbers"], pp
    fails("PasswordPolicyViolation", iam.update_login_profile, UserName="alice", Password="Correct-Horse-9")
    iam.delete_account_password_policy()

    d = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    serial, seed = d["SerialNumber"], d["Base32StringSeed"].decode()
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone" and len(seed) == 64, d
    assert d["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n"), d["QRCodePNG"][:8]
    step = int(time.time()) // 30
    fails("InvalidAuthenticationCode", iam.enable_mfa_device, "Authentication code for device is not valid.",
          UserName="alice", SerialNumber=serial, AuthenticationCode1="000000", AuthenticationCode2="000000")
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step))
    assert [m["SerialNumber"] for m in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [v["User"]["UserName"] for v in assigned] == ["alice"], assigned
    fails("DeleteConflict", iam.delete_user, "Cannot delete entity, must delete login profile first.", UserName="alice")
    iam.delete_login_profile(UserName="alice")
    fails("DeleteConflict", iam.delete_user, "Cannot delete entity, must delete MFA device first.", UserName="alice")
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)


def account_settings():
    iam.create_account_alias(AccountAlias="vigil-e2e")
    assert iam.list_account_aliases()["AccountAliases"] == ["vigil-e2e"]
    fails("ValidationError", iam.create_account_alias, AccountAlias="Bad--Alias")
    iam.delete_account_alias(AccountAlias="vigil-e2e")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["Users"] == 2 and summary["Groups"] == 1 and summary["AccessKeysPerUserQuota"] == 2, summary
    details = iam.get_account_authorization_details()
    alice = [u for u in details["UserDetailList"] if u["UserName"] == "alice"][0]
    assert alice["GroupList"] == ["admins"] and alice["UserPolicyList"][0]["PolicyDocument"] == POLICY, alice
    fails("ReportNotPresent", iam.get_credential_report)
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    rows = list(csv.reader(io.StringIO(report["Content"].decode())))
    assert rows[0] == ["user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
                       "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
                       "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
                       "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
                       "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
                       "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"], rows[0]
    assert [r[0] for r in rows[1:]] == ["<root_account>", "alice", "bob"] and rows[1][8] == "true", rows
    fails("NotImplemented", iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/eng/alice")


def cleanup(arn):
    iam.delete_user_permissions_boundary(UserName="alice")
    iam.delete_user_policy(UserName="alice", PolicyName="inline")
    fails("DeleteConflict", iam.delete_user, "Cannot delete entity, must detach all policies first.", UserName="alice")
    for p in (arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"):
        iam.detach_user_policy(UserName="alice", PolicyArn=p)
    fails("DeleteConflict", iam.delete_user, "Cannot delete entity, must remove users from group first.", UserName="alice")
    iam.remove_user_from_group(GroupName="admins", UserName="alice")
    iam.delete_user(UserName="alice")
    iam.detach_group_policy(GroupName="admins", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    iam.delete_group(GroupName="admins")


def recorded(name):
    """Returns the CloudTrail records of the successful calls of an
    operation, once the recorder has stored them."""
    trail = boto3.client("cloudtrail", config=CONFIG)
    deadline = time.time() + 15
    while time.time() < deadline:
        events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        records = [json.loads(e["CloudTrailEvent"]) for e in events]
        if records:
            return [r for r in records if "errorCode" not in r]
        time.sleep(0.2)
    raise AssertionError(f"CloudTrail recorded no {name}")


def secrets_hidden():
    """CloudTrail records passwords, secret keys and MFA seeds hidden."""
    hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"
    params = [r["requestParameters"] for r in recorded("CreateLoginProfile")]
    assert params and all(p.get("password") == hidden for p in params), params
    keys = [r["responseElements"]["accessKey"] for r in recorded("CreateAccessKey")]
    assert keys and all(k["secretAccessKey"] == hidden and k["accessKeyId"].startswith("AKIA") for k in keys), keys
    devices = [r["responseElements"]["virtualMFADevice"] for r in recorded("CreateVirtualMFADevice")]
    assert devices and all(d["base32StringSeed"] == hidden and d["qRCodePNG"] == hidden for d in devices), devices


def main():
    users_and_groups()
    arn = managed_policies()
    access_keys()
    roles()
    passwords_and_mfa()
    account_settings()
    cleanup(arn)
    secrets_hidden()
    print("iam ok")


if __name__ == "__main__":
    main()
