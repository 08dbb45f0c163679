from django.db import migrations, models


class Migration(migrations.Migration):
    """Added once every account has its identity (0005)."""

    dependencies = [("accounts", "0005_identities_for_accounts")]

    operations = [
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('identity__isnull', True), ('organisation__isnull', True)), models.Q(('identity__isnull', False), ('login_email__isnull', True), ('organisation__isnull', False)), _connector='OR'), name='identity_or_account'),
        ),
    ]
