"""Guards the retry rule of SMTP delivery: only 4xx replies and dropped connections are retried.

Mutation it catches: permanent (5xx) errors retried (``< 500`` → ``< 600``): a rejected memo was sent
again and again, or a later attempt let it through after the server had said no. Real aiosmtpd server.
"""
import smtplib

import pytest

from cmo_workbook.delivery import mail
from cmo_workbook.errors import DeliveryError
from test_mail import message


def test_permanent_rejection_is_not_retried(smtp_server):
    smtp_server.fail_next = 1
    smtp_server.fail_reply = "554 5.7.1 Message rejected as spam"
    waits, lines = [], []
    # the message names the permanent refusal since the operations branch ("sending again will be refused too")
    with pytest.raises(DeliveryError, match=r"SMTP server 127\.0\.0\.1:\d+ refused the message \(554 5\.7\.1 Message "
                                            r"rejected as spam\); sending again will be refused too: .*"
                                            r"the memo stays on disk"):
        mail.send(message(), mail.settings_from_env(), attempts=4, backoff=1, sleep=waits.append, say=lines.append)
    assert waits == [] and lines == []
    assert smtp_server.messages == []


def test_last_transient_code_is_retried_first_permanent_is_not(smtp_server):
    smtp_server.fail_next = 1
    smtp_server.fail_reply = "499 4.0.0 still transient"
    waits = []
    mail.send(message(), mail.settings_from_env(), attempts=2, backoff=3, sleep=waits.append)
    assert waits == [3] and len(smtp_server.messages) == 1
    smtp_server.fail_next = 1
    smtp_server.fail_reply = "500 5.0.0 permanent"
    with pytest.raises(DeliveryError):
        mail.send(message(), mail.settings_from_env(), attempts=2, backoff=3, sleep=waits.append)
    assert waits == [3] and len(smtp_server.messages) == 1


@pytest.mark.parametrize("exc,transient", [
    (smtplib.SMTPResponseException(399, b"odd"), False),
    (smtplib.SMTPResponseException(400, b"try later"), True),
    (smtplib.SMTPResponseException(499, b"try later"), True),
    (smtplib.SMTPResponseException(500, b"no"), False),
    (smtplib.SMTPServerDisconnected("gone"), True),
    (smtplib.SMTPConnectError(421, b"busy"), True),
    (ConnectionResetError(), True),
    (TimeoutError(), True),
    (OSError("disk"), False),
    (smtplib.SMTPException("other"), False),
])
def test_transient_classification(exc, transient):
    assert mail._transient(exc) is transient
