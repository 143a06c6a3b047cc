using Xunit;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AudioFlow.Telephony.Tests.Providers;

/// <summary>
/// A fake of a telephony provider's REST API (Vobiz, Plivo, Twilio, Telnyx cannot be reached from tests): an
/// <see cref="HttpListener"/> on 127.0.0.1 at a free port that records every request (method, raw path, headers,
/// body) and answers with whatever <see cref="Respond"/> says, optionally after a delay.
/// </summary>
internal sealed class FakeProviderApi : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeProviderApi(HttpListener listener, int port, string basePath)
    {
        _listener = listener;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}{basePath}");
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>One request as the fake received it.</summary>
    internal sealed record RecordedRequest(
        string Method,
        string RawUrl,
        IReadOnlyDictionary<string, string> Headers,
        string Body,
        string? ContentType)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>What to answer.</summary>
    internal sealed record Reply(int Status, string Body = "", TimeSpan Delay = default, string ContentType = "application/json");

    internal int Port { get; }

    /// <summary>http://127.0.0.1:{port}{basePath} — give this to the client as its base URL.</summary>
    internal Uri BaseUrl { get; }

    internal Func<RecordedRequest, Reply> Respond { get; set; } = static _ => new Reply(200, "{}");

    internal IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    internal RecordedRequest Single()
    {
        var all = Requests;
        Assert.Single(all);
        return all[0];
    }

    internal static FakeProviderApi Start(string basePath = "")
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeProviderApi(listener, port, basePath);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A loopback port that was free a moment ago (nothing listens on it afterwards).</summary>
    internal static int FreeLoopbackPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            string body;
            using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in request.Headers.AllKeys)
            {
                if (name is not null)
                {
                    headers[name] = request.Headers[name] ?? "";
                }
            }

            var recorded = new RecordedRequest(request.HttpMethod, request.RawUrl ?? "", headers, body, request.ContentType);
            _requests.Enqueue(recorded);
            var reply = Respond(recorded);
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _stop.Token);
            }

            context.Response.StatusCode = reply.Status;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            if (bytes.Length > 0)
            {
                context.Response.ContentType = reply.ContentType;
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            }

            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client gave up (timeout test) or the fake is shutting down.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
