import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router';
import { useAuthStore } from '../stores/auth';
import { safeRedirect } from './redirect';

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-in users only; others go to /login. */
    requiresAuth?: boolean;
    /** Signed-out users only; signed-in users go home. */
    guestOnly?: boolean;
    /** Role admin only (with requiresAuth); other users go home. */
    requiresAdmin?: boolean;
  }
}

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/LoginView.vue'),
    meta: { guestOnly: true },
  },
  {
    path: '/',
    name: 'home',
    component: () => import('../views/HomeView.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/recharge',
    name: 'recharge',
    component: () => import('../views/RechargeView.vue'),
    meta: { requiresAuth: true },
  },
  {
    // A gateway's checkout sends the user back here: ?out_trade_no=<orderNo>
    path: '/payment/result',
    name: 'payment-result',
    component: () => import('../views/PaymentResultView.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/records',
    name: 'records',
    component: () => import('../views/RecordsView.vue'),
    meta: { requiresAuth: true },
  },
  {
    // The user's payment orders: resume a pending one, cancel it, open its result page.
    path: '/orders',
    name: 'orders',
    component: () => import('../views/OrdersView.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/referral',
    name: 'referral',
    component: () => import('../views/ReferralView.vue'),
    meta: { requiresAuth: true },
  },
  {
    // The user's own account: download their data, close the account.
    path: '/account',
    name: 'account',
    component: () => import('../views/AccountView.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/admin',
    component: () => import('../views/admin/AdminLayout.vue'),
    meta: { requiresAuth: true, requiresAdmin: true },
    children: [
      { path: '', name: 'admin-dashboard', component: () => import('../views/admin/AdminDashboardView.vue') },
      { path: 'orders', name: 'admin-orders', component: () => import('../views/admin/AdminOrdersView.vue') },
      // Payments that match no order (never credited), to send back or credit by hand, then resolve.
      { path: 'unmatched-payments', name: 'admin-unmatched', component: () => import('../views/admin/AdminUnmatchedView.vue') },
      { path: 'ledger', name: 'admin-ledger', component: () => import('../views/admin/AdminLedgerView.vue') },
      { path: 'redeem', name: 'admin-redeem', component: () => import('../views/admin/AdminRedeemView.vue') },
      { path: 'users', name: 'admin-users', component: () => import('../views/admin/AdminUsersView.vue') },
      { path: 'growth', name: 'admin-growth', component: () => import('../views/admin/AdminGrowthView.vue') },
      // Recharge campaigns: their rules, status and what they paid out; create, edit before the start, pause, resume, end.
      { path: 'campaigns', name: 'admin-campaigns', component: () => import('../views/admin/AdminCampaignsView.vue') },
      // Integrators' endpoints the events are POSTed to (signed), and their deliveries.
      { path: 'webhooks', name: 'admin-webhooks', component: () => import('../views/admin/AdminWebhooksView.vue') },
      // What admins did; the filters are in the query, e.g. /admin/audit?targetType=user&targetId=42
      { path: 'audit', name: 'admin-audit', component: () => import('../views/admin/AdminAuditView.vue') },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const r = createRouter({ history, routes });
  r.beforeEach(async (to) => {
    const auth = useAuthStore();
    const toLogin = () => ({ name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } });
    if (to.meta.requiresAuth && !auth.isAuthenticated) return toLogin();
    if (to.meta.requiresAdmin) {
      // The role is known after login; after a reload it is asked for once.
      try {
        await auth.ensureUser();
      } catch {
        return auth.isAuthenticated ? '/' : toLogin();
      }
      if (!auth.isAdmin) return '/';
    }
    if (to.meta.guestOnly && auth.isAuthenticated) {
      return safeRedirect(to.query.redirect);
    }
    return true;
  });
  return r;
}

export const router = createAppRouter();
