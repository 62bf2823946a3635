from django.urls import path

from accounts import admin_views, security_keys, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("login/enroll/", views.enroll, name="enroll"),
    path("logout/", views.logout_view, name="logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("password/", views.password_change, name="password_change"),
    path("security-keys/", security_keys.security_keys, name="security_keys"),
    path("admin/role-policies/", admin_views.role_policies, name="role_policies"),
    path("admin/staff/", admin_views.staff_list, name="staff_list"),
    path("admin/staff/new/", admin_views.staff_create, name="staff_create"),
    path("admin/staff/<int:pk>/", admin_views.staff_detail, name="staff_detail"),
    path("admin/staff/<int:pk>/edit/", admin_views.staff_edit, name="staff_edit"),
    path("admin/staff/<int:pk>/deactivate/", admin_views.staff_deactivate, name="staff_deactivate"),
    path(
        "admin/staff/<int:pk>/reset-second-factor/",
        admin_views.staff_reset_second_factor,
        name="staff_reset_second_factor",
    ),
    path("admin/terminals/", admin_views.terminal_list, name="terminal_list"),
    path("admin/terminals/new/", admin_views.terminal_create, name="terminal_create"),
    path("admin/terminals/<int:pk>/edit/", admin_views.terminal_edit, name="terminal_edit"),
    path("admin/privilege-changes/", admin_views.privilege_change_list, name="privilege_change_list"),
    path(
        "admin/privilege-changes/<int:pk>/",
        admin_views.privilege_change_detail,
        name="privilege_change_detail",
    ),
    path(
        "admin/privilege-changes/<int:pk>/confirm/",
        admin_views.privilege_change_confirm,
        name="privilege_change_confirm",
    ),
    path(
        "admin/privilege-changes/<int:pk>/reject/",
        admin_views.privilege_change_reject,
        name="privilege_change_reject",
    ),
]
