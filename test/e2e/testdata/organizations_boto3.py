"""Drives AWS Organizations with boto3 for organizations_test.go: the
organization, its root and OUs, service control policies and where they
are attached, an account created in it (which becomes an account Vigil
hosts, administered through the role CreateAccount makes), delegated
administrators, tags, the refusals a member account meets, and the
organization's deletion. It asserts as it goes and exits non-zero at the
first difference. The environment points boto3 at Vigil with the root's
credentials of the management account.

Usage: organizations_boto3.py ACCOUNT_ID
"""
import contextlib
import json
import re
import sys

import boto3
import botocore.config
import botocore.exceptions

MGMT = sys.argv[1]
CONFIG = botocore.config.Config(retries={"max_attempts": 1})
org = boto3.client("organizations", config=CONFIG)

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


@contextlib.contextmanager
def refused(code, message=None):
    """Checks that the calls of the with block fail with the error code
    (and message)."""
    try:
        yield
    except botocore.exceptions.ClientError as e:
        error = e.response["Error"]
        if error["Code"] != code or message is not None and error["Message"] != message:
            raise AssertionError(f"{error}; want {code} {message!r}") from e
        return
    raise AssertionError(f"the call succeeded; want {code}")


def paged(operation, key, **kwargs):
    """Lists everything through the paginator, by pages of one."""
    out = []
    for page in org.get_paginator(operation).paginate(PaginationConfig={"PageSize": 1}, **kwargs):
        out.extend(page[key])
    return out


def organization():
    with refused("AWSOrganizationsNotInUseException", "Your account is not a member of an organization."):
        org.describe_organization()
    o = org.create_organization(FeatureSet="ALL")["Organization"]
    assert re.fullmatch(r"o-[a-z0-9]{10}", o["Id"]), o
    assert o["Arn"] == f"arn:aws:organizations::{MGMT}:organization/{o['Id']}", o
    assert o["MasterAccountId"] == MGMT and o["MasterAccountArn"] == f"arn:aws:organizations::{MGMT}:account/{o['Id']}/{MGMT}", o
    with refused("AlreadyInOrganizationException"):
        org.create_organization()
    assert org.describe_organization()["Organization"]["Id"] == o["Id"]
    roots = org.list_roots()["Roots"]
    assert len(roots) == 1 and re.fullmatch(r"r-[a-z0-9]{4}", roots[0]["Id"]) and roots[0]["PolicyTypes"] == [], roots
    return o, roots[0]["Id"]


def units(root):
    eng = org.create_organizational_unit(ParentId=root, Name="eng", Tags=[{"Key": "team", "Value": "eng"}])["OrganizationalUnit"]
    assert re.fullmatch(rf"ou-{root[2:]}-[a-z0-9]{{8}}", eng["Id"]), eng
    with refused("DuplicateOrganizationalUnitException", "An OU with the same name already exists."):
        org.create_organizational_unit(ParentId=root, Name="eng")
    with refused("ParentNotFoundException"):
        org.create_organizational_unit(ParentId="ou-abcd-00000000", Name="x")
    ops = org.create_organizational_unit(ParentId=root, Name="ops")["OrganizationalUnit"]
    nested = org.create_organizational_unit(ParentId=eng["Id"], Name="web")["OrganizationalUnit"]
    assert sorted(u["Name"] for u in paged("list_organizational_units_for_parent", "OrganizationalUnits", ParentId=root)) == ["eng", "ops"]
    assert org.list_parents(ChildId=nested["Id"])["Parents"] == [{"Id": eng["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_children(ParentId=root, ChildType="ACCOUNT")["Children"] == [{"Id": MGMT, "Type": "ACCOUNT"}]
    assert org.update_organizational_unit(OrganizationalUnitId=ops["Id"], Name="platform")["OrganizationalUnit"]["Name"] == "platform"
    assert org.describe_organizational_unit(OrganizationalUnitId=ops["Id"])["OrganizationalUnit"]["Name"] == "platform"
    assert org.list_tags_for_resource(ResourceId=eng["Id"])["Tags"] == [{"Key": "team", "Value": "eng"}]
    with refused("OrganizationalUnitNotEmptyException"):
        org.delete_organizational_unit(OrganizationalUnitId=eng["Id"])
    org.delete_organizational_unit(OrganizationalUnitId=nested["Id"])
    return eng["Id"]


def policies(root, ou):
    malformed = "The provided policy document does not meet the requirements of the specified policy type."
    with refused("MalformedPolicyDocumentException", malformed):
        org.create_policy(Name="bad", Description="", Type="SERVICE_CONTROL_POLICY", Content='{"Statement":[]}')
    p = org.create_policy(Name="no-s3", Description="deny S3", Type="SERVICE_CONTROL_POLICY", Content=DENY_S3)["Policy"]
    summary = p["PolicySummary"]
    assert re.fullmatch(r"p-[a-z0-9]{8}", summary["Id"]) and not summary["AwsManaged"] and p["Content"] == DENY_S3, p
    names = sorted(s["Name"] for s in paged("list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"))
    assert names == ["FullAWSAccess", "no-s3"], names
    with refused("PolicyTypeNotEnabledException"):
        org.attach_policy(PolicyId=summary["Id"], TargetId=ou)
    r = org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")["Root"]
    assert r["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}], r
    targets = {t["TargetId"]: t["Type"] for t in org.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]}
    assert targets.get(root) == "ROOT" and targets.get(ou) == "ORGANIZATIONAL_UNIT" and targets.get(MGMT) == "ACCOUNT", targets
    org.attach_policy(PolicyId=summary["Id"], TargetId=ou)
    with refused("DuplicatePolicyAttachmentException"):
        org.attach_policy(PolicyId=summary["Id"], TargetId=ou)
    with refused("PolicyInUseException"):
        org.delete_policy(PolicyId=summary["Id"])
    attached = sorted(s["Name"] for s in org.list_policies_for_target(TargetId=ou, Filter="SERVICE_CONTROL_POLICY")["Policies"])
    assert attached == ["FullAWSAccess", "no-s3"], attached
    with refused("PolicyNotAttachedException"):
        org.detach_policy(PolicyId=summary["Id"], TargetId=root)
    with refused("ConstraintViolationException"):
        org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=root)
    org.tag_resource(ResourceId=summary["Id"], Tags=[{"Key": "owner", "Value": "sec"}])
    org.untag_resource(ResourceId=summary["Id"], TagKeys=["owner"])
    assert org.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == []
    return summary["Id"]


def accounts(root, ou):
    status = org.create_account(Email="dev@example.com", AccountName="dev")["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS" and re.fullmatch(r"car-[a-z0-9]{8}", status["Id"]), status
    done = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert done["State"] == "SUCCEEDED" and re.fullmatch(r"\d{12}", done["AccountId"]), done
    member = done["AccountId"]
    assert [s["Id"] for s in org.list_create_account_status(States=["SUCCEEDED"])["CreateAccountStatuses"]] == [status["Id"]]
    listed = paged("list_accounts", "Accounts")
    assert sorted(a["Id"] for a in listed) == sorted([MGMT, member]), listed
    acct = org.describe_account(AccountId=member)["Account"]
    assert acct["Email"] == "dev@example.com" and acct["JoinedMethod"] == "CREATED" and acct["Status"] == "ACTIVE", acct
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
    with refused("DuplicateAccountException"):
        org.move_account(AccountId=member, SourceParentId=ou, DestinationParentId=ou)
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=ou)["Accounts"]] == [member]
    org.register_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    admins = org.list_delegated_administrators()["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [member], admins
    services = org.list_delegated_services_for_account(AccountId=member)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == ["guardduty.amazonaws.com"], services
    with refused("ConstraintViolationException"):
        org.remove_account_from_organization(AccountId=member)
    org.deregister_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    return member


def as_member(member):
    """Acts in the member account through the role CreateAccount made,
    assumed by an IAM user of the management account."""
    iam = boto3.client("iam", config=CONFIG)
    iam.create_user(UserName="operator")
    iam.attach_user_policy(UserName="operator", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    user = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    creds = user.client("sts", config=CONFIG).assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])
    assert session.client("sts", config=CONFIG).get_caller_identity()["Account"] == member
    morg = session.client("organizations", config=CONFIG)
    assert morg.describe_organization()["Organization"]["MasterAccountId"] == MGMT
    with refused("AccessDeniedException", "You don't have permissions to access this resource."):
        morg.list_accounts()
    with refused("AccessDeniedException"):
        morg.create_organizational_unit(ParentId="r-abcd", Name="x")
    attached = session.client("iam", config=CONFIG).list_attached_role_policies(RoleName="OrganizationAccountAccessRole")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AdministratorAccess"], attached
    # The member is in the OU whose SCP denies S3: AdministratorAccess
    # does not get past it; other services are allowed.
    s3 = session.client("s3", config=CONFIG)
    with refused("AccessDenied", f"User: arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: "
                 f"s3:CreateBucket on resource: arn:aws:s3:::member-bucket with an explicit deny in a service control policy"):
        s3.create_bucket(Bucket="member-bucket")
    session.client("logs", config=CONFIG).describe_log_groups()


def teardown(root, ou, member, policy):
    with refused("OrganizationNotEmptyException"):
        org.delete_organization()
    org.remove_account_from_organization(AccountId=member)
    with refused("MasterCannotLeaveOrganizationException"):
        org.remove_account_from_organization(AccountId=MGMT)
    org.detach_policy(PolicyId=policy, TargetId=ou)
    org.delete_policy(PolicyId=policy)
    org.disable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    org.delete_organization()
    with refused("AWSOrganizationsNotInUseException"):
        org.list_roots()


def main():
    _, root = organization()
    ou = units(root)
    policy = policies(root, ou)
    member = accounts(root, ou)
    as_member(member)
    teardown(root, ou, member, policy)
    print("ok")


if __name__ == "__main__":
    main()
